/** A tiny scripted HTTP server on 127.0.0.1 for recorded-response fixtures and fault tests. */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach } from "vitest";

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export type Handler = (req: SeenRequest, res: ServerResponse, ctx: { origin: string }) => unknown;

export interface FixtureServer {
  origin: string;
  port: number;
  seen: SeenRequest[];
  stop(): Promise<void>;
}

export async function startFixtureServer(handler: Handler): Promise<FixtureServer> {
  const seen: SeenRequest[] = [];
  let origin = "";
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const r: SeenRequest = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      seen.push(r);
      Promise.resolve(handler(r, res, { origin })).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(599);
        res.end(String(e));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    port,
    seen,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function xml(res: ServerResponse, body: string, status = 207, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": 'application/xml; charset="utf-8"', ...headers });
  res.end(body);
}

/** For a test file: `serve(handler)` starts a fixture server that is stopped after each test. */
export function fixtureServers(): (handler: Handler) => Promise<FixtureServer> {
  const running: FixtureServer[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()));
  });
  return async (handler) => {
    const server = await startFixtureServer(handler);
    running.push(server);
    return server;
  };
}
