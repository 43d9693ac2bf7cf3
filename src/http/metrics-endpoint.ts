import { createHash, timingSafeEqual } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import { bearerToken } from "../auth/tokens.js";
import type { Metrics } from "../metrics.js";

/** Writes the Prometheus text exposition of the process's metrics. */
export async function serveMetrics(metrics: Metrics, res: ServerResponse): Promise<void> {
  const body = await metrics.registry.metrics();
  res.writeHead(200, { "Content-Type": metrics.registry.contentType });
  res.end(body);
}

/**
 * Whether a request carries `Authorization: Bearer <METRICS_TOKEN>`. Both sides are hashed
 * first, so the comparison takes the same time whatever the length or the first wrong character.
 */
export function hasMetricsToken(req: IncomingMessage, metricsToken: string): boolean {
  const given = bearerToken(req.headers.authorization);
  if (given === null) return false;
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(given), digest(metricsToken));
}

/** 401 with the scheme to use, as RFC 6750 section 3 asks; the body says what to do. */
export function refuseMetrics(res: ServerResponse): void {
  res.writeHead(401, { "Content-Type": "text/plain; charset=utf-8", "WWW-Authenticate": 'Bearer realm="metrics"' });
  res.end("Send Authorization: Bearer <METRICS_TOKEN> to read the metrics, or scrape them on METRICS_PORT from this machine.\n");
}

/**
 * A server with /metrics alone, without authentication: it listens on loopback only, for a
 * Prometheus agent (or a tunnel) on the same machine.
 */
export function createMetricsServer(metrics: Metrics): http.Server {
  return http.createServer((req, res) => {
    if (req.method === "GET" && new URL(req.url ?? "/", "http://localhost").pathname === "/metrics") {
      serveMetrics(metrics, res).catch(() => {
        res.writeHead(500).end();
      });
    } else {
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("Only /metrics is served here.\n");
    }
  });
}

/** The loopback address the metrics server binds: never reachable from another machine. */
export const METRICS_HOST = "127.0.0.1";
