import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../helpers/api.js";
import { describeServer } from "../servers/harness.js";
import { putEvent } from "../servers/seed.js";
import { calendar, importedEntries, syncNow, type EntryView } from "../sync/helpers.js";
import { startFaultProxy, type Fault, type FaultProxy } from "./fault-proxy.js";

/**
 * Faults between the sync engine and a real Radicale, injected by a loopback proxy. For each: the
 * run ends ERROR or PARTIAL with a message, nothing is half-written or duplicated, and the next
 * clean sync converges to exactly what a clean baseline (another user syncing Radicale directly)
 * imports.
 */
const view = (entries: EntryView[]) =>
  entries.map((e) => `${e.externalEvent?.uid}|${e.externalEvent?.recurrenceId}|${e.startTime}|${e.endTime}|${e.notes}`).sort();

const FAULTS: [string, Fault][] = [
  ["HTTP 500", { kind: "status", status: 500 }],
  ["HTTP 503 with Retry-After", { kind: "status", status: 503, retryAfter: "1" }],
  ["connection reset in the middle of the body", { kind: "reset-mid-body" }],
  ["truncated XML", { kind: "truncate" }],
  ["a stalled server (the client timeout fires)", { kind: "stall" }],
  // Objects whose calendar-data could not be read are downloaded again by the next sync.
  ["malformed iCalendar in the multiget answer", { kind: "malformed-ics" }],
];

describeServer(
  "radicale",
  (ctx) => {
    let api: TestApi;
    let proxy: FaultProxy;
    let user: { token: string };
    let baselineUser: { token: string };
    let integration: string;
    let baselineIntegration: string;
    let counter = 0;
    const CONFIGURE = "mutation($input: ConfigureCalDAVIntegrationInput!) { configureCalDAVIntegration(input: $input) { id } }";

    /** A new event and a changed one, so every faulty sync has work it must not half-do. */
    const changeCalendar = async () => {
      counter++;
      const s = ctx.server();
      await putEvent(s, s.calendarUrl, `fault-${counter}.ics`, calendar([`UID:fault-${counter}`, `DTSTART:2025030${(counter % 9) + 1}T0${counter % 8}0000Z`, `DTEND:2025030${(counter % 9) + 1}T0${counter % 8}3000Z`, `SUMMARY:Fault ${counter}`]));
      await putEvent(s, s.calendarUrl, "fault-moving.ics", calendar(["UID:fault-moving", "RRULE:FREQ=DAILY;COUNT=3", `DTSTART:20250310T1${counter % 10}0000Z`, `DTEND:20250310T1${counter % 10}3000Z`, `SUMMARY:Moving ${counter}`]));
    };
    const baseline = async () => {
      const run = await syncNow(api, baselineUser.token, baselineIntegration, "FULL");
      expect(run.status).toBe("SUCCESS");
      return view(await importedEntries(api, baselineUser.token));
    };

    beforeAll(async () => {
      const s = ctx.server();
      proxy = await startFaultProxy(Number(new URL(s.baseUrl).port));
      // short client timeout so the stall fault ends quickly
      api = await startTestApi({ caldav: { timeoutMs: 1_500 } });
      user = await api.createUser("faults@example.com");
      baselineUser = await api.createUser("faults-baseline@example.com");
      const viaProxy = new URL(new URL(s.calendarUrl).pathname, proxy.url).href;
      integration = (await api.graphql(user.token, CONFIGURE, { input: { calendarUrl: viaProxy, username: s.username, password: s.password, lookbackDays: 3650 } })).data
        ?.configureCalDAVIntegration.id;
      baselineIntegration = (
        await api.graphql(baselineUser.token, CONFIGURE, { input: { calendarUrl: s.calendarUrl, username: s.username, password: s.password, lookbackDays: 3650 } })
      ).data?.configureCalDAVIntegration.id;
      await changeCalendar();
      expect((await syncNow(api, user.token, integration)).status).toBe("SUCCESS");
      expect(view(await importedEntries(api, user.token))).toEqual(await baseline());
    });
    afterAll(async () => {
      await api?.close();
      await proxy?.close();
    });

    it("added latency changes nothing but the time taken", async () => {
      await changeCalendar();
      proxy.set({ kind: "latency", ms: 300 }, () => true);
      const run = await syncNow(api, user.token, integration);
      proxy.set({ kind: "none" });
      expect(run.status).toBe("SUCCESS");
      expect(view(await importedEntries(api, user.token))).toEqual(await baseline());
    });

    it.each(FAULTS)("%s: the run fails cleanly and the next clean sync converges", async (_label, fault) => {
      const before = view(await importedEntries(api, user.token));
      await changeCalendar();
      proxy.set(fault);
      const failed = await syncNow(api, user.token, integration, "FULL");
      proxy.set({ kind: "none" });
      expect(["ERROR", "PARTIAL"], JSON.stringify(failed)).toContain(failed.status);
      expect(failed.message ?? "", JSON.stringify(failed)).not.toBe("");
      const during = view(await importedEntries(api, user.token));
      expect(new Set(during).size).toBe(during.length); // no duplicate
      if (failed.status === "ERROR") expect(during).toEqual(before); // nothing half-written
      else expect(failed.errors.length + failed.warnings.length, JSON.stringify(failed)).toBeGreaterThan(0);

      const clean = await syncNow(api, user.token, integration, "INCREMENTAL");
      expect(clean.status, JSON.stringify(clean)).toBe("SUCCESS");
      expect(view(await importedEntries(api, user.token))).toEqual(await baseline());
    });

  },
  {},
  "sync faults through a proxy to radicale",
);
