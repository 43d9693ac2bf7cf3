/**
 * HTTPS reverse proxy with a throw-away self-signed certificate (openssl, generated per start),
 * in front of a loopback http server. Listens on 127.0.0.1 only.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export interface TlsProxy {
  /** https origin, e.g. https://127.0.0.1:40123 */
  origin: string;
  /** maps a target URL to the same path behind the proxy */
  rewrite(url: string): string;
  /** PEM of the self-signed certificate (to build a trusting client if needed) */
  certPem: string;
  stop(): Promise<void>;
}

export function makeSelfSignedCert(): { key: string; cert: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "caldav-tls-"));
  try {
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem"), "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
      { stdio: "ignore" },
    );
    return { key: readFileSync(path.join(dir, "key.pem"), "utf8"), cert: readFileSync(path.join(dir, "cert.pem"), "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startTlsProxy(targetOrigin: string): Promise<TlsProxy> {
  const target = new URL(targetOrigin);
  const { key, cert } = makeSelfSignedCert();
  let origin = "";
  const server = createServer({ key, cert }, (req, res) => {
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (up) => {
        const headers = { ...up.headers };
        // absolute redirects of the backend point to its http origin: map them onto the proxy
        if (typeof headers.location === "string" && headers.location.startsWith(target.origin)) headers.location = origin + headers.location.slice(target.origin.length);
        res.writeHead(up.statusCode ?? 502, headers);
        up.pipe(res);
      },
    );
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    certPem: cert,
    rewrite: (url) => {
      const u = new URL(url);
      return origin + u.pathname + u.search;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
