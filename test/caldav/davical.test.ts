import { expect, it } from "vitest";
import { discoverCalendars } from "../../src/caldav/index.js";
import { describeServer } from "../servers/harness.js";
import { clientFor, interopTests } from "./interop-suite.js";

// DAViCal: an unknown sync-token resets to a full listing (no 403), and the delta repeats the last
// change before the token (caldav-REPORT-sync-collection.php uses sync_time >= token time).
describeServer("davical", (ctx) => interopTests(ctx, { badSyncToken: "full" }));

// With $c->http_auth_mode = "Digest" DAViCal challenges with Digest MD5 qop=auth (Basic is still
// accepted, so this suite waits for the challenge instead of sending Basic first).
describeServer(
  "davical",
  (ctx) => {
    it("authenticates with Digest when challenged", async () => {
      const s = ctx.server();
      const client = clientFor(s, { preemptiveBasic: false });
      const cals = await discoverCalendars(client, s.baseUrl);
      expect(cals.map((c) => c.url)).toContain(s.calendarUrl);
      // one challenge, then every request answered with the cached Digest state
      expect(client.stats.byStatus[401]).toBe(1);
      expect(client.stats.requests).toBeGreaterThan(2);
    });
    it("wrong password with Digest → AUTH_FAILED", async () => {
      const s = ctx.server();
      await expect(discoverCalendars(clientFor(s, { preemptiveBasic: false, password: "nope" }), s.baseUrl)).rejects.toMatchObject({ code: "AUTH_FAILED" });
    });
  },
  { digest: true },
  "davical (Digest)",
);
