import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { CalDAVError, createCalDAVClient, type RequestInfo } from "../../src/caldav/index.js";
import { createCalDAVAccess } from "../../src/integrations/caldav-access.js";
import { Metrics } from "../../src/metrics.js";

/**
 * Per-server politeness, seen from the server: a local HTTP server on 127.0.0.1 that counts the
 * connections it accepts, the requests it holds at once, and the credentials each request carries.
 */
interface CountingServer {
  origin: string;
  port: number;
  /** connections accepted */
  connections: number;
  /** connections still open */
  open(): number;
  /** requests being answered now, and the most at once */
  inFlight: number;
  maxInFlight: number;
  authorizations: string[];
  stop(): Promise<void>;
}

const servers: CountingServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function countingServer(answer: (req: IncomingMessage, res: ServerResponse, socket: Socket) => void | Promise<void>): Promise<CountingServer> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    state.inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    state.authorizations.push(req.headers.authorization ?? "");
    res.on("close", () => state.inFlight--);
    req.resume();
    req.on("end", () => void answer(req, res, req.socket));
  });
  server.on("connection", (socket: Socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const state: CountingServer = {
    origin: `http://127.0.0.1:${port}`,
    port,
    connections: 0,
    open: () => sockets.size,
    inFlight: 0,
    maxInFlight: 0,
    authorizations: [],
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  servers.push(state);
  return state;
}

const ok = (res: ServerResponse) => {
  res.writeHead(200, { "content-type": "text/plain" });
  res.end("ok");
};
const later = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
const access = (maxRequestsPerOrigin?: number, onRequest?: (info: RequestInfo) => void) =>
  createCalDAVAccess({ caldavAllowPrivateNetworks: true, caldavTimeoutMs: 5_000, caldavMaxRequestsPerOrigin: maxRequestsPerOrigin }, { onRequest });

describe("connections shared between integrations", () => {
  it("reuses one keep-alive connection for syncs of different accounts, each request with its own credentials", async () => {
    const server = await countingServer((req, res) => ok(res));
    const caldav = access();
    const alice = caldav.connect({ username: "alice", password: "alice-secret", verifyTls: true });
    const bob = caldav.connect({ username: "bob", password: "bob-secret", verifyTls: true });
    for (const client of [alice, bob, alice, bob]) await client.request({ method: "GET", url: `${server.origin}/cal/` });
    await alice.close();
    await bob.close();
    expect(server.connections).toBe(1);
    expect(server.authorizations).toEqual([basic("alice", "alice-secret"), basic("bob", "bob-secret"), basic("alice", "alice-secret"), basic("bob", "bob-secret")]);
  });

  it("closes the shared connections when the process shuts down, not when a client closes", async () => {
    const server = await countingServer((req, res) => ok(res));
    const caldav = access();
    const client = caldav.connect({ username: "alice", password: "alice-secret", verifyTls: true });
    await client.request({ method: "GET", url: `${server.origin}/cal/` });
    await client.close();
    await later(50);
    expect(server.open()).toBe(1);
    await caldav.close();
    for (let i = 0; i < 100 && server.open() > 0; i++) await later(20);
    expect(server.open()).toBe(0);
  });

  it("keeps clients that do not share a pool on their own connections", async () => {
    const server = await countingServer((req, res) => ok(res));
    const own = [0, 1].map(() => createCalDAVClient({ username: "u", password: "p", addressPolicy: { allowPrivateNetworks: true } }));
    for (const client of own) await client.request({ method: "GET", url: `${server.origin}/` });
    await Promise.all(own.map((client) => client.close()));
    expect(server.connections).toBe(2);
  });
});

describe("per-origin cap on concurrent requests", () => {
  for (const cap of [4, 2]) {
    it(`holds 10 parallel syncs to at most ${cap} requests at once at one server`, async () => {
      const server = await countingServer(async (req, res) => {
        await later(20);
        ok(res);
      });
      const caldav = access(cap);
      const clients = Array.from({ length: 10 }, (_, i) => caldav.connect({ username: `user${i}`, password: "p", verifyTls: true }));
      await Promise.all(clients.map(async (client) => {
        for (let i = 0; i < 3; i++) await client.request({ method: "PROPFIND", url: `${server.origin}/cal/`, depth: "0", body: "<x/>" });
      }));
      await Promise.all(clients.map((client) => client.close()));
      expect(server.authorizations).toHaveLength(30);
      expect(server.maxInFlight).toBe(cap);
      expect(server.connections).toBeLessThanOrEqual(cap);
    });
  }

  it("counts the cap per server: a slow server does not hold back requests to another", async () => {
    let releaseSlow = () => {};
    const slowGate = new Promise<void>((resolve) => (releaseSlow = resolve));
    const slow = await countingServer(async (req, res) => {
      await slowGate;
      ok(res);
    });
    const fast = await countingServer((req, res) => ok(res));
    const caldav = access(1);
    const client = caldav.connect({ username: "u", password: "p", verifyTls: true });
    const stuck = client.request({ method: "GET", url: `${slow.origin}/` });
    const other = caldav.connect({ username: "u", password: "p", verifyTls: true });
    expect((await other.request({ method: "GET", url: `${fast.origin}/` })).status).toBe(200);
    expect(slow.inFlight).toBe(1);
    releaseSlow();
    expect((await stuck).status).toBe(200);
    await client.close();
    await other.close();
  });
});

describe("refused and reset connections", () => {
  it("retries a safe request after the server resets the connection, and counts the reset in /metrics", async () => {
    let resets = 2;
    const server = await countingServer((req, res, socket) => {
      if (resets-- > 0) socket.resetAndDestroy();
      else ok(res);
    });
    const metrics = new Metrics();
    const client = access(4, (info) => metrics.recordRequest(info)).connect({ username: "u", password: "p", verifyTls: true });
    const res = await client.request({ method: "REPORT", url: `${server.origin}/cal/`, depth: "1", body: "<x/>" });
    await client.close();
    expect(res.status).toBe(200);
    expect(server.authorizations).toHaveLength(3);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^caldav_http_connection_failures_total\{reason="reset"\} 2$/m);
  });

  it("gives up on a refused connection after the bounded retries, as UNREACHABLE", async () => {
    const closed = await countingServer((req, res) => ok(res));
    const url = `${closed.origin}/`;
    await closed.stop();
    servers.splice(servers.indexOf(closed), 1);
    const failures: RequestInfo[] = [];
    const client = createCalDAVClient({ username: "u", password: "p", addressPolicy: { allowPrivateNetworks: true }, retryBaseDelayMs: 1, maxRetries: 3, onRequest: (info) => failures.push(info) });
    const error = await client.request({ method: "PROPFIND", url, depth: "0" }).catch((e: unknown) => e);
    await client.close();
    expect(error).toBeInstanceOf(CalDAVError);
    expect((error as CalDAVError).code).toBe("UNREACHABLE");
    expect(failures.map((f) => f.connectionFailure)).toEqual(["refused", "refused", "refused", "refused"]);
  });

  it("does not send a request that is not safe again", async () => {
    const server = await countingServer((req, res, socket) => void socket.resetAndDestroy());
    const client = access().connect({ username: "u", password: "p", verifyTls: true });
    const error = await client.request({ method: "PUT", url: `${server.origin}/cal/a.ics`, body: "BEGIN:VCALENDAR" }).catch((e: unknown) => e);
    await client.close();
    expect((error as CalDAVError).code).toBe("UNREACHABLE");
    expect(server.authorizations).toHaveLength(1);
  });
});
