import http from "node:http";
import type { AddressInfo } from "node:net";
import type { LookupAddress } from "node:dns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../helpers/api.js";

/**
 * SSRF end to end through the GraphQL API. Only loopback listeners exist; every other address is
 * produced by an injected resolver and must be refused before any connection is made (the hard
 * rule of this suite: no packet leaves 127.0.0.0/8 and ::1).
 */
const CONFIGURE = "mutation($input: ConfigureCalDAVIntegrationInput!) { configureCalDAVIntegration(input: $input) { id } }";
const TEST = "mutation($id: UUID!) { testConnection(integrationId: $id) { success errorCode message } }";
const DISCOVER = "query($i: DiscoverCalendarsInput!) { discoverCalendars(input: $i) { url } }";
const SYNC = "mutation($id: UUID!) { syncNow(integrationId: $id) { status message } }";

interface Listener {
  port: number;
  hits: { method: string; url: string; authorization: string | undefined }[];
  server: http.Server;
}

async function listen(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_q, r) => r.writeHead(404).end()): Promise<Listener> {
  const hits: Listener["hits"] = [];
  const server = http.createServer((req, res) => {
    hits.push({ method: req.method ?? "", url: req.url ?? "", authorization: req.headers.authorization });
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { port: (server.address() as AddressInfo).port, hits, server };
}

const a = (address: string): LookupAddress => ({ address, family: address.includes(":") ? 6 : 4 });

/** Names only this test knows; nothing reaches a real DNS server. */
const resolutions = new Map<string, () => LookupAddress[]>([
  ["localhost", () => [a("127.0.0.1")]],
  ["metadata.test", () => [a("169.254.169.254")]],
  ["mapped-metadata.test", () => [a("::ffff:169.254.169.254")]],
  ["link-local6.test", () => [a("fe80::1")]],
  ["aws6.test", () => [a("fd00:ec2::254")]],
  ["mixed.test", () => [a("127.0.0.1"), a("169.254.169.254")]],
  ["lan.test", () => [a("127.0.0.1")]],
]);
let rebindCalls = 0;
resolutions.set("rebind.test", () => (rebindCalls++ === 0 ? [a("127.0.0.1")] : [a("169.254.169.254")]));

const lookup = async (hostname: string): Promise<LookupAddress[]> => {
  const answer = resolutions.get(hostname.toLowerCase());
  if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
  return answer();
};

async function configure(api: TestApi, token: string, input: Record<string, unknown>): Promise<string> {
  const res = await api.graphql(token, CONFIGURE, { input: { username: "alice", password: "ssrf-password", ...input } });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data?.configureCalDAVIntegration.id;
}

describe("SSRF with CALDAV_ALLOW_PRIVATE_NETWORKS=false", () => {
  let api: TestApi;
  let token: string;
  let target: Listener;

  beforeAll(async () => {
    target = await listen((_req, res) => res.writeHead(207, { "content-type": "application/xml" }).end('<?xml version="1.0"?><multistatus xmlns="DAV:"/>'));
    api = await startTestApi({ caldav: { allowPrivateNetworks: false, timeoutMs: 3_000, lookup } });
    ({ token } = await api.createUser("ssrf-strict@example.com"));
  });
  afterAll(async () => {
    await api?.close();
    await new Promise((r) => target?.server.close(r));
  });

  it.each([
    ["127.0.0.1", (p: number) => `http://127.0.0.1:${p}/`],
    ["localhost (resolved to 127.0.0.1)", (p: number) => `http://localhost:${p}/`],
    ["0.0.0.0 (reaches the local host)", (p: number) => `http://0.0.0.0:${p}/`],
    ["IPv4-mapped loopback", (p: number) => `http://[::ffff:127.0.0.1]:${p}/`],
    ["a name with a private address among its addresses", (p: number) => `http://mixed.test:${p}/`],
  ])("testConnection, discoverCalendars and syncNow refuse %s with BLOCKED_ADDRESS; the server hears nothing", async (_label, url) => {
    const serverUrl = url(target.port);
    const id = await configure(api, token, { serverUrl, calendars: [{ url: `${serverUrl}cal/`, selected: true }] });
    const test = await api.graphql(token, TEST, { id });
    expect(test.data?.testConnection).toMatchObject({ success: false, errorCode: "BLOCKED_ADDRESS" });
    expect(test.data?.testConnection.message).toMatch(/CALDAV_ALLOW_PRIVATE_NETWORKS|address|private|network/i);
    const discover = await api.graphql(token, DISCOVER, { i: { serverUrl, username: "alice", password: "ssrf-password" } });
    expect(discover.errors?.[0]?.extensions).toMatchObject({ code: "CONNECTION_FAILED", errorCode: "BLOCKED_ADDRESS" });
    const sync = await api.graphql(token, SYNC, { id });
    expect(sync.data?.syncNow.status).toBe("ERROR");
    expect(sync.data?.syncNow.message).toBeTruthy();
    expect(target.hits).toEqual([]);
  });
});

describe("SSRF with private networks allowed (the default)", () => {
  let api: TestApi;
  let token: string;
  let lan: Listener;
  let other: Listener;

  beforeAll(async () => {
    other = await listen();
    lan = await listen((req, res) => {
      if (req.url?.startsWith("/to-metadata")) res.writeHead(301, { location: "http://169.254.169.254/latest/meta-data/" }).end();
      else if (req.url?.startsWith("/to-other-host")) res.writeHead(301, { location: `http://localhost:${other.port}/steal/` }).end();
      else if (req.url?.startsWith("/to-rebind")) res.writeHead(301, { location: `http://rebind.test:${lan.port}/after/` }).end();
      // Closing the connection makes the next hop open a new one: a kept-alive connection goes to the
      // address already checked, so only a new connection resolves the name again.
      else if (req.url?.startsWith("/first")) res.writeHead(301, { location: "/after/", connection: "close" }).end();
      else res.writeHead(404).end();
    });
    api = await startTestApi({ caldav: { allowPrivateNetworks: true, timeoutMs: 3_000, lookup } });
    ({ token } = await api.createUser("ssrf-default@example.com"));
  });
  afterAll(async () => {
    await api?.close();
    await new Promise((r) => lan?.server.close(r));
    await new Promise((r) => other?.server.close(r));
  });

  it.each([
    ["the cloud metadata address", "http://169.254.169.254/latest/meta-data/"],
    ["a name resolving to the metadata address", "http://metadata.test/"],
    ["IPv4-mapped metadata", "http://mapped-metadata.test/"],
    ["IPv6 link-local (literal)", "http://[fe80::1]/"],
    ["IPv6 link-local (resolved)", "http://link-local6.test/"],
    ["AWS IMDS over IPv6", "http://aws6.test/"],
  ])("always refuses %s", async (_label, serverUrl) => {
    const id = await configure(api, token, { serverUrl });
    const test = await api.graphql(token, TEST, { id });
    expect(test.data?.testConnection).toMatchObject({ success: false, errorCode: "BLOCKED_ADDRESS" });
  });

  it("refuses a redirect to the metadata address, after a first hop on the LAN", async () => {
    const id = await configure(api, token, { serverUrl: `http://lan.test:${lan.port}/to-metadata/` });
    const test = await api.graphql(token, TEST, { id });
    expect(test.data?.testConnection.success).toBe(false);
    expect(["BLOCKED_ADDRESS", "NOT_CALDAV", "INVALID_RESPONSE", "NOT_FOUND", "UNREACHABLE"]).toContain(test.data?.testConnection.errorCode);
    expect(lan.hits.length).toBeGreaterThan(0);
  });

  it("does not follow a redirect to another host, so the credentials go nowhere else", async () => {
    const id = await configure(api, token, { serverUrl: `http://lan.test:${lan.port}/to-other-host/` });
    const test = await api.graphql(token, TEST, { id });
    expect(test.data?.testConnection.success).toBe(false);
    expect(other.hits).toEqual([]);
  });

  it("checks the address again on a same-host redirect (DNS rebinding)", async () => {
    rebindCalls = 0;
    const before = lan.hits.length;
    const id = await configure(api, token, { serverUrl: `http://rebind.test:${lan.port}/first/` });
    const test = await api.graphql(token, TEST, { id });
    expect(test.data?.testConnection.success).toBe(false);
    // the first hop reached the LAN server; everything after the re-resolution to 169.254.169.254 was refused
    expect(lan.hits.slice(before).some((h) => h.url.startsWith("/first"))).toBe(true);
    expect(lan.hits.slice(before).some((h) => h.url.startsWith("/after"))).toBe(false);
  });
});
