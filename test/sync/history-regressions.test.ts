import { afterAll, beforeAll, expect, it } from "vitest";
import { expansionCache, syncMemos } from "../../src/sync/object-cache.js";
import { startFaultProxy, type FaultProxy } from "../faults/fault-proxy.js";
import { startTestApi, type TestApi } from "../helpers/api.js";
import { describeServer } from "../servers/harness.js";
import { deleteEvent, makeCalendar, putEvent, simpleEvent, updateEvent } from "../servers/seed.js";
import { byUid, importedEntries, syncNow } from "./helpers.js";

/**
 * The failures of issue 13 that real histories found, each as the history that showed it, against
 * a real Radicale behind a loopback fault proxy. Each failed on the engine that planned inside its
 * transaction; each user has calendars of their own, so the tests do not disturb one another.
 */
const CONFIGURE = "mutation($input: ConfigureCalDAVIntegrationInput!) { configureCalDAVIntegration(input: $input) { id } }";

describeServer(
  "radicale",
  (ctx) => {
    let api: TestApi;
    let proxy: FaultProxy;
    let users = 0;
    const viaProxy = (url: string) => new URL(new URL(url).pathname, proxy.url).href;

    /** A user with fresh calendars of their own (all selected, reached through the proxy) and an integration syncing them. */
    const setUp = async (...names: string[]) => {
      const s = ctx.server();
      const { token } = await api.createUser(`history-${++users}@example.com`);
      const calendars = [];
      for (const name of names) calendars.push(await makeCalendar(s, `${name}-${users}`));
      const res = await api.graphql(token, CONFIGURE, {
        input: { serverUrl: proxy.url, username: s.username, password: s.password, lookbackDays: 3650, calendars: calendars.map((url) => ({ url: viaProxy(url), selected: true })) },
      });
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      const integrationId: string = res.data?.configureCalDAVIntegration.id;
      return { token, integrationId, calendars, sync: (mode = "INCREMENTAL") => syncNow(api, token, integrationId, mode), entries: () => importedEntries(api, token) };
    };

    beforeAll(async () => {
      proxy = await startFaultProxy(Number(new URL(ctx.server().baseUrl).port));
      api = await startTestApi();
    });
    afterAll(async () => {
      await api?.close();
      await proxy?.close();
    });

    it("failure 1: the entry of an event that moved to another href goes when the event is then deleted", async () => {
      const s = ctx.server();
      const { sync, entries, calendars: [calendar] } = await setUp("moved");
      await putEvent(s, calendar!, "filler.ics", simpleEvent("filler", "Filler", "20260305T090000Z", "20260305T100000Z"));
      const ics = simpleEvent("moving", "Moving");
      const before = await putEvent(s, calendar!, "a.ics", ics);
      expect(await sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 2 });
      const [entry] = byUid(await entries(), "moving");

      await deleteEvent(s, before.url);
      const after = await putEvent(s, calendar!, "b.ics", ics);
      expect(await sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 0, entriesDeleted: 0 });
      expect(byUid(await entries(), "moving").map((e) => e.id)).toEqual([entry!.id]);

      await deleteEvent(s, after.url);
      expect(await sync()).toMatchObject({ status: "SUCCESS", entriesDeleted: 1 });
      expect(byUid(await entries(), "moving")).toEqual([]);
    });

    it("failure 2: an href the multiget leaves out is neither deleted nor lost, and arrives with the next sync", async () => {
      const s = ctx.server();
      const { sync, entries, calendars: [calendar] } = await setUp("left-out");
      await putEvent(s, calendar!, "filler.ics", simpleEvent("filler", "Filler", "20260305T090000Z", "20260305T100000Z"));
      const kept = await putEvent(s, calendar!, "late-kept.ics", simpleEvent("late-kept", "Before"));
      expect(await sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 2 });

      await updateEvent(s, kept.url, simpleEvent("late-kept", "After"), kept.etag!);
      await putEvent(s, calendar!, "late-new.ics", simpleEvent("late-new", "New", "20260306T090000Z", "20260306T100000Z"));
      proxy.set({ kind: "multiget-leaves-out", href: "late-" });
      const faulty = await sync();
      proxy.set({ kind: "none" });
      expect(faulty).toMatchObject({ status: "PARTIAL", entriesDeleted: 0 });
      expect(faulty.calendars[0]).toMatchObject({ status: "PARTIAL", download: "SYNC_COLLECTION" });
      expect(byUid(await entries(), "late-kept").map((e) => e.notes)).toEqual(["Before"]);

      expect(await sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 1, entriesUpdated: 1 });
      expect(byUid(await entries(), "late-kept").map((e) => e.notes)).toEqual(["After"]);
      expect(byUid(await entries(), "late-new")).toHaveLength(1);
    });

    it("failure 3: an edited single event that becomes a series keeps its one entry, and so does the series becoming single again", async () => {
      const s = ctx.server();
      const { token, sync, entries, calendars: [calendar] } = await setUp("kind");
      const single = simpleEvent("kind", "Weekly review", "20260302T090000Z", "20260302T100000Z");
      const object = await putEvent(s, calendar!, "kind.ics", single);
      expect(await sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 1 });
      const [entry] = await entries();
      await api.graphql(token, 'mutation($id: UUID!) { updateTimeEntry(input: {id: $id, notes: "Reviewed the budget"}) { id } }', { id: entry!.id });

      const series = single.replace("SUMMARY:", "RRULE:FREQ=WEEKLY;COUNT=3\r\nSUMMARY:");
      const { etag } = await updateEvent(s, object.url, series, object.etag!);
      expect(await sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 2 });
      const weekly = await entries();
      expect(weekly.map((e) => e.startTime)).toEqual(["2026-03-02T09:00:00.000Z", "2026-03-09T09:00:00.000Z", "2026-03-16T09:00:00.000Z"]);
      expect(weekly[0]).toMatchObject({ id: entry!.id, notes: "Reviewed the budget" });

      await updateEvent(s, object.url, single, etag!);
      expect(await sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 0, entriesDeleted: 2 });
      expect((await entries()).map((e) => [e.id, e.notes])).toEqual([[entry!.id, "Reviewed the budget"]]);
    });

    it("failure 7: a calendar that answers 404 keeps its entries while the others sync; the run is PARTIAL and names it", async () => {
      const s = ctx.server();
      const { sync, entries, calendars } = await setUp("healthy", "broken");
      const [healthy, broken] = calendars as [string, string];
      await putEvent(s, healthy, "h1.ics", simpleEvent("h1", "Healthy 1"));
      await putEvent(s, broken, "b1.ics", simpleEvent("b1", "Broken 1"));
      expect(await sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 2 });

      await putEvent(s, healthy, "h2.ics", simpleEvent("h2", "Healthy 2", "20260304T090000Z", "20260304T100000Z"));
      await putEvent(s, broken, "b2.ics", simpleEvent("b2", "Broken 2", "20260304T090000Z", "20260304T100000Z"));
      const brokenPath = new URL(broken).pathname;
      proxy.set({ kind: "status", status: 404 }, (req) => req.url?.startsWith(brokenPath) ?? false);
      const partial = await sync();
      proxy.set({ kind: "none" });
      expect(partial).toMatchObject({ status: "PARTIAL", entriesCreated: 1, entriesDeleted: 0 });
      expect(partial.message).toContain(viaProxy(broken));
      const byUrl = new Map(partial.calendars.map((c) => [c.url, c]));
      expect(byUrl.get(viaProxy(broken))).toMatchObject({ status: "ERROR", errorCode: "NOT_FOUND", download: null });
      expect(byUrl.get(viaProxy(healthy))).toMatchObject({ status: "SUCCESS", entriesCreated: 1 });
      expect((await entries()).map((e) => e.externalEvent?.uid).sort()).toEqual(["b1", "h1", "h2"]);

      expect(await sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 1 });
      expect((await entries()).map((e) => e.externalEvent?.uid).sort()).toEqual(["b1", "b2", "h1", "h2"]);
    });

    it("failure 8: a calendar URL that is not a calendar is an error naming it, not an empty success", async () => {
      const s = ctx.server();
      const { token } = await api.createUser(`history-${++users}@example.com`);
      const root = viaProxy(s.baseUrl);
      const res = await api.graphql(token, CONFIGURE, { input: { calendarUrl: root, username: s.username, password: s.password } });
      const run = await syncNow(api, token, res.data?.configureCalDAVIntegration.id, "FULL");
      expect(run).toMatchObject({ status: "ERROR", entriesCreated: 0 });
      expect(run.calendars).toEqual([expect.objectContaining({ url: root, status: "ERROR", errorCode: "NOT_CALDAV" })]);
      expect(run.message).toContain(root);
    });

    it("a restarted process converges to the same entries (no memory of earlier syncs)", async () => {
      const { sync, entries, calendars: [calendar] } = await setUp("restart");
      await putEvent(ctx.server(), calendar!, "r.ics", simpleEvent("r", "Restart"));
      expect(await sync()).toMatchObject({ status: "SUCCESS", entriesCreated: 1 });
      const before = await entries();
      syncMemos.clear();
      expansionCache.clear();
      expect(await sync("FULL")).toMatchObject({ status: "SUCCESS", entriesCreated: 0, entriesUnchanged: 1 });
      expect(await entries()).toEqual(before);
    });
  },
  {},
  "issue 13 regressions on radicale through a fault proxy",
);
