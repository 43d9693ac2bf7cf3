import { afterAll, beforeAll, expect, it } from "vitest";
import { CalDAVError, createCalDAVClient, discoverCalendars } from "../../src/caldav/index.js";
import { describeServer } from "../servers/harness.js";
import { startTlsProxy, type TlsProxy } from "../servers/tls-proxy.js";

// Radicale behind a Node https proxy with a fresh self-signed certificate.
describeServer("radicale", (ctx) => {
  let proxy: TlsProxy;
  beforeAll(async () => {
    proxy = await startTlsProxy(new URL(ctx.server().baseUrl).origin);
  });
  afterAll(async () => {
    await proxy?.stop();
  });
  const client = (verifyTls: boolean) => createCalDAVClient({ username: "alice", password: "secret", verifyTls, timeoutMs: 10_000, addressPolicy: { allowPrivateNetworks: true } });

  it("verification on → TLS_ERROR", async () => {
    const e = await discoverCalendars(client(true), proxy.origin + "/").then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(CalDAVError);
    expect((e as CalDAVError).code).toBe("TLS_ERROR");
  });

  it("verification off → calendars, from a bare host:port (https is the default scheme)", async () => {
    const cals = await discoverCalendars(client(false), proxy.origin.replace("https://", ""));
    expect(cals.map((c) => c.url)).toContain(proxy.rewrite(ctx.server().calendarUrl));
  });

  it("turning verification off for one client does not affect another client", async () => {
    await discoverCalendars(client(false), proxy.origin + "/");
    const e = await discoverCalendars(client(true), proxy.origin + "/").then(() => null, (x: unknown) => x);
    expect((e as CalDAVError).code).toBe("TLS_ERROR");
  });
}, {}, "radicale behind self-signed TLS");
