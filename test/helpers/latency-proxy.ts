import http from "node:http";
import type { AddressInfo } from "node:net";

/** A loopback reverse proxy that answers every request `delayMs` late: a slow CalDAV server. */
export async function startLatencyProxy(
  targetOrigin: string,
  delayMs: number,
): Promise<{ origin: string; /** Resolves when the first request arrives. */ firstRequest: Promise<void>; stop(): Promise<void> }> {
  const target = new URL(targetOrigin);
  let arrived: () => void = () => {};
  const firstRequest = new Promise<void>((resolve) => (arrived = resolve));
  const server = http.createServer((req, res) => {
    arrived();
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (answer) => {
        setTimeout(() => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        }, delayMs);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    firstRequest,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
