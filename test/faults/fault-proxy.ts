/**
 * A loopback HTTP proxy between the sync engine and a real CalDAV server that injects faults into
 * chosen requests. Only ever listens on and connects to 127.0.0.1.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export type Fault =
  | { kind: "none" }
  | { kind: "latency"; ms: number }
  | { kind: "status"; status: 404 | 500 | 503; retryAfter?: string }
  /** Leaves out of a calendar-multiget answer the responses whose href contains `href` (as DAViCal does). */
  | { kind: "multiget-leaves-out"; href: string }
  /** Sends the headers and half the body, then resets the connection. */
  | { kind: "reset-mid-body" }
  /** Sends half the body and ends cleanly (no Content-Length): well-formed HTTP, broken XML. */
  | { kind: "truncate" }
  /** Rewrites every calendar-data in a multistatus answer to an unparsable iCalendar object. */
  | { kind: "malformed-ics" }
  /** Accepts the request and never answers. */
  | { kind: "stall" };

export interface FaultProxy {
  url: string;
  port: number;
  /** Applies `fault` to requests for which `when` is true (default: REPORT requests). */
  set(fault: Fault, when?: (req: http.IncomingMessage) => boolean): void;
  /** Requests seen, as "METHOD path [fault]". */
  log: string[];
  close(): Promise<void>;
}

const isReport = (req: http.IncomingMessage) => req.method === "REPORT";

export async function startFaultProxy(targetPort: number): Promise<FaultProxy> {
  let fault: Fault = { kind: "none" };
  let when: (req: http.IncomingMessage) => boolean = isReport;
  const log: string[] = [];
  const stalled = new Set<http.ServerResponse>();

  const server = http.createServer((req, res) => {
    const active = when(req) ? fault : ({ kind: "none" } as Fault);
    log.push(`${req.method} ${req.url} [${active.kind}]`);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (active.kind === "stall") {
        stalled.add(res);
        res.on("close", () => stalled.delete(res));
        return;
      }
      if (active.kind === "status") {
        res.writeHead(active.status, { "content-type": "text/plain", ...(active.retryAfter ? { "retry-after": active.retryAfter } : {}) }).end("injected failure");
        return;
      }
      const headers = { ...req.headers, host: `127.0.0.1:${targetPort}` };
      const upstream = http.request({ host: "127.0.0.1", port: targetPort, method: req.method, path: req.url, headers }, (up) => {
        const body: Buffer[] = [];
        up.on("data", (c: Buffer) => body.push(c));
        up.on("end", () => {
          let payload = Buffer.concat(body);
          const outHeaders = { ...up.headers };
          delete outHeaders["content-length"];
          delete outHeaders["transfer-encoding"];
          const send = () => {
            switch (active.kind) {
              case "reset-mid-body":
                res.writeHead(up.statusCode ?? 502, { ...outHeaders, "content-length": String(payload.length) });
                res.write(payload.subarray(0, Math.floor(payload.length / 2)), () => res.socket?.destroy());
                return;
              case "truncate":
                res.writeHead(up.statusCode ?? 502, outHeaders);
                res.end(payload.subarray(0, Math.floor(payload.length / 2)));
                return;
              case "multiget-leaves-out":
                if (Buffer.concat(chunks).toString("utf8").includes("calendar-multiget")) {
                  payload = Buffer.from(
                    payload.toString("utf8").replace(/<((?:[\w-]+:)?)response>[\s\S]*?<\/\1response>/g, (response) => (response.includes(active.href) ? "" : response)),
                  );
                }
                break;
              case "malformed-ics":
                payload = Buffer.from(
                  payload.toString("utf8").replace(/(<(?:[\w-]+:)?calendar-data[^>]*>)([\s\S]*?)(<\/(?:[\w-]+:)?calendar-data>)/g, "$1BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:garbage\r\n$3"),
                );
                break;
              default:
                break;
            }
            res.writeHead(up.statusCode ?? 502, { ...outHeaders, "content-length": String(payload.length) });
            res.end(payload);
          };
          if (active.kind === "latency") setTimeout(send, active.ms);
          else send();
        });
      });
      upstream.on("error", () => res.destroy());
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    set(next, predicate = isReport) {
      fault = next;
      when = predicate;
    },
    async close() {
      for (const res of stalled) res.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
