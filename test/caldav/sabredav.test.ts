import { expect, it } from "vitest";
import { discoverCalendars } from "../../src/caldav/index.js";
import { describeServer } from "../servers/harness.js";
import { clientFor, interopTests } from "./interop-suite.js";

// sabre/dav 1.8 (stock PDO auth backend): Digest only, no sync-collection, and a multiget with any
// missing href fails as a whole with 404 (our multiget bisects).
describeServer("sabredav", (ctx) => {
  interopTests(ctx, { badSyncToken: "none" });
  it("answers the Digest challenge once and then authenticates preemptively", async () => {
    const s = ctx.server();
    const client = clientFor(s);
    await discoverCalendars(client, s.baseUrl);
    await discoverCalendars(client, s.calendarUrl);
    expect(client.stats.byStatus[401]).toBe(1);
    expect(client.stats.byStatus[207]).toBeGreaterThan(2);
  });
});

describeServer(
  "sabredav",
  (ctx) => {
    it("works with a Basic-only backend", async () => {
      const s = ctx.server();
      const client = clientFor(s);
      expect((await discoverCalendars(client, s.baseUrl)).map((c) => c.url)).toContain(s.calendarUrl);
      expect(client.stats.byStatus[401] ?? 0).toBe(0);
    });
  },
  { digest: false },
  "sabredav (Basic)",
);
