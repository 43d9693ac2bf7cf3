import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/client.js";
import { eventLinks, timeEntries } from "../../src/db/schema.js";
import { applyPlan } from "../../src/sync/apply.js";
import type { DesiredEntry } from "../../src/sync/desired.js";
import type { MirrorListings } from "../../src/sync/download.js";
import { expandCalendars } from "../../src/sync/expand.js";
import { emptyResult } from "../../src/sync/outcome.js";
import { existingLinks, selectedCalendars } from "../../src/sync/mirror.js";
import { planSync, type SyncPlan } from "../../src/sync/plan.js";
import { COMPLETE } from "../../src/sync/strategies.js";
import { expandContext } from "../../src/sync/context.js";
import { createLogger } from "../../src/logger.js";
import type { TestApi } from "../helpers/api.js";
import { startPlanningFixture } from "./helpers.js";

/**
 * A plan is made on a snapshot, with no transaction open, and written afterwards (src/sync/apply.ts).
 * What changed in between must win: the user's edits are never overwritten, and a write cut short
 * leaves a state the next plan completes. Run on both databases (DATABASE_URL for PostgreSQL).
 */
const WINDOW = { start: new Date("2026-01-01T00:00:00Z"), end: new Date("2027-01-01T00:00:00Z") };

describe("applying a plan made on a snapshot", () => {
  let api: TestApi;
  let db: Db;
  let userId: string;
  let calendarId: string;
  let integrationId: string;

  beforeAll(async () => {
    ({ api, db, userId, calendarId, integrationId } = await startPlanningFixture("apply@example.com"));
  });
  afterAll(() => api.close());

  const desired = (uid: string, notes: string, day = 2): DesiredEntry => {
    const start = new Date(`2026-03-${String(day).padStart(2, "0")}T09:00:00Z`);
    return { calendarId, href: `http://127.0.0.1:9/calendar/${uid}.ics`, etag: '"1"', uid, recurrenceId: null, start, end: new Date(start.getTime() + 3_600_000), durationSeconds: 3600, notes, projectId: null, matchedBy: "NONE", contentHash: `${uid}|${notes}` };
  };
  const planFor = async (entries: DesiredEntry[]): Promise<SyncPlan> =>
    planSync({ desired: entries, existing: await existingLinks(db, [calendarId]), window: WINDOW, calendars: [{ calendarId, listedObjectCount: entries.length }], confirmDeletions: false });
  const entryOf = async (uid: string) => {
    const [row] = await db.select({ id: timeEntries.id, notes: timeEntries.notes, startTime: timeEntries.startTime }).from(eventLinks).innerJoin(timeEntries, eq(timeEntries.id, eventLinks.timeEntryId)).where(eq(eventLinks.uid, uid));
    return row;
  };
  const reset = async () => {
    await db.delete(eventLinks).where(eq(eventLinks.calendarId, calendarId));
    await db.delete(timeEntries).where(eq(timeEntries.userId, userId));
  };

  it("failure 5: an update planned before the user's edit keeps the edited field and follows the event in the others", async () => {
    await reset();
    await applyPlan(db, userId, await planFor([desired("u1", "Planning"), desired("u2", "Review", 3)]), []);
    const moved = [desired("u1", "Planning (moved)", 4), desired("u2", "Review", 3)];
    const update = await planFor(moved);
    expect(update.updates).toHaveLength(1);

    const entry = await entryOf("u1");
    await api.services.timeEntries.update(userId, entry!.id, { notes: "My own notes" });
    const applied = await applyPlan(db, userId, update, []);
    expect(applied).toMatchObject({ updated: 1, staleLinks: [] });
    expect(await entryOf("u1")).toEqual({ id: entry!.id, notes: "My own notes", startTime: new Date("2026-03-04T09:00:00Z") });

    // The link follows the event: the next plan has nothing to do, and the entry stays attached.
    const next = await planFor(moved);
    expect([next.creates, next.updates, next.relinks, next.deletes, next.conflictsKept].flat()).toEqual([]);
  });

  it("failure 5: a delete planned before the user's edit leaves the entry", async () => {
    await reset();
    await applyPlan(db, userId, await planFor([desired("u1", "Planning"), desired("u2", "Review", 3)]), []);
    const removal = await planFor([desired("u2", "Review", 3)]);
    expect(removal.deletes.map((link) => link.uid)).toEqual(["u1"]);

    const entry = await entryOf("u1");
    await api.services.timeEntries.update(userId, entry!.id, { notes: "Kept by me" });
    expect(await applyPlan(db, userId, removal, [])).toMatchObject({ deleted: 0, staleLinks: removal.deletes });
    expect(await entryOf("u1")).toEqual({ id: entry!.id, notes: "Kept by me", startTime: new Date("2026-03-02T09:00:00Z") });
  });

  it("writes a large plan in bounded transactions; cut short between two, the next plan completes it without duplicates", async () => {
    await reset();
    const all = Array.from({ length: 25 }, (_, i) => desired(`bulk-${i}`, `Bulk ${i}`, 1 + (i % 28)));
    let transactions = 0;
    const crashing = Object.create(db, {
      transaction: { value: (work: Parameters<Db["transaction"]>[0]) => (++transactions === 3 ? Promise.reject(new Error("the process died")) : db.transaction(work)) },
    }) as Db;
    await expect(applyPlan(crashing, userId, await planFor(all), [], 10)).rejects.toThrow("the process died");
    const written = (await existingLinks(db, [calendarId])).length;
    expect(written).toBe(20);

    const resumed = await planFor(all);
    expect(resumed).toMatchObject({ unchanged: 20, updates: [], deletes: [] });
    expect(resumed.creates).toHaveLength(5);
    await applyPlan(db, userId, resumed, [], 10);
    const links = await existingLinks(db, [calendarId]);
    expect(links.map((link) => link.uid).sort()).toEqual(all.map((d) => d.uid).sort());
    expect((await db.select({ id: timeEntries.id }).from(timeEntries).where(eq(timeEntries.userId, userId))).length).toBe(25);
  });

  it("failure 4: an object whose data cannot be read keeps its entries instead of having them judged vanished", async () => {
    await reset();
    const gone = desired("gone", "Gone from the mirror");
    await applyPlan(db, userId, await planFor([gone]), []);
    const integration = await api.services.integrations.get(userId, integrationId);
    const calendar = (await selectedCalendars(db, integrationId))[0]!;
    // The mirror's listing names the object, but its row (and so its data) is not there to read.
    const mirrors = { of: async () => new Map([[gone.href, '"1"']]), sizeOf: () => 1 } as unknown as MirrorListings;
    const changes = new Map([[calendarId, { strategy: "UNCHANGED" as const, upserts: [], deletions: [], missing: [], deferredDeletions: [], state: { ctag: null, syncToken: null }, objectCount: 1, notes: [] }]]);
    const context = await expandContext(integration, [calendar], api.services.projects, api.services.users);
    const expansion = await expandCalendars(db, createLogger("silent"), context, changes, mirrors, WINDOW, emptyResult());
    expect([...expansion.unavailable]).toEqual([`${calendarId} ${gone.href}`]);
    const planned = await COMPLETE.plan({ db, changes, expansion, input: { desired: expansion.desired, existing: [], window: WINDOW, calendars: [{ calendarId, listedObjectCount: 1 }], confirmDeletions: false }, memo: null });
    expect(planned?.plan).toMatchObject({ deletes: [], conflictsKept: [], creates: [] });
  });
});
