import { eq } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/client.js";
import { eventLinks, timeEntries } from "../../src/db/schema.js";
import { applyPlan } from "../../src/sync/apply.js";
import type { CollectionChanges } from "../../src/sync/collection-sync.js";
import type { DesiredEntry } from "../../src/sync/desired.js";
import type { Expansion } from "../../src/sync/expand.js";
import type { MemoObject, SyncMemo } from "../../src/sync/object-cache.js";
import type { PlanInput } from "../../src/sync/plan.js";
import { COMPLETE, FIRST_IMPORT, SCOPED, type PlanningInputs } from "../../src/sync/strategies.js";
import type { TestApi } from "../helpers/api.js";
import { startPlanningFixture } from "./helpers.js";

/**
 * Each planning strategy against the complete plan, on random histories of one calendar written to
 * a real database: import a random calendar, change it at random (create, edit, delete, move an
 * object to another href with the same content, re-use a UID), then plan the change with each
 * strategy that applies. FIRST_IMPORT and SCOPED must give the plan COMPLETE gives.
 */
const WINDOW = { start: new Date("2026-01-01T00:00:00Z"), end: new Date("2027-01-01T00:00:00Z") };

interface CalendarObject {
  uid: string;
  /** recurrence ids of its occurrences (null: a single event) */
  instances: (string | null)[];
  content: number;
  etag: number;
}
type Calendar = Map<string, CalendarObject>;

const objectArb = fc.record({
  uid: fc.constantFrom("u1", "u2", "u3", "u4"),
  instances: fc.constantFrom<(string | null)[]>([null], ["r1"], ["r1", "r2"], ["r2"]),
  content: fc.integer({ min: 0, max: 2 }),
  etag: fc.constant(1),
});
const calendarArb = fc.dictionary(fc.constantFrom("a", "b", "c", "d", "e"), objectArb).map((d) => new Map(Object.entries(d)));
const opArb = fc.oneof(
  fc.record({ op: fc.constant("put" as const), href: fc.constantFrom("a", "b", "c", "d", "e", "f"), object: objectArb }),
  fc.record({ op: fc.constant("edit" as const), pick: fc.nat(), content: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ op: fc.constant("delete" as const), pick: fc.nat() }),
  fc.record({ op: fc.constant("move" as const), pick: fc.nat(), to: fc.constantFrom("m", "n", "o") }),
);

describe("planning strategies give the complete plan (fast-check, real database)", () => {
  let api: TestApi;
  let db: Db;
  let userId: string;
  let calendarId: string;

  beforeAll(async () => {
    ({ api, db, userId, calendarId } = await startPlanningFixture("strategies@example.com"));
  });
  afterAll(() => api.close());

  const desiredOf = (calendar: Calendar): DesiredEntry[] =>
    [...calendar].flatMap(([href, object]) =>
      object.instances.map((recurrenceId, i) => {
        const start = new Date(Date.UTC(2026, 2, 2 + i * 7 + (object.content % 2), 9));
        return { calendarId, href, etag: `"${object.etag}"`, uid: object.uid, recurrenceId, start, end: new Date(start.getTime() + 3_600_000), durationSeconds: 3600, notes: `${object.uid} v${object.content}`, projectId: null, matchedBy: "NONE" as const, contentHash: `${object.uid}|${recurrenceId}|${object.content}` };
      }),
    );
  const keysOf = (calendar: Calendar): MemoObject[] => [...calendar].map(([href, object]) => ({ calendarId, href, key: `${href}|${object.etag}` }));
  const inputsFor = (calendar: Calendar, changes: CollectionChanges, memo: SyncMemo | null): PlanningInputs => {
    const desired = desiredOf(calendar);
    const expansion: Expansion = { desired, unavailable: new Set(), heldUids: new Set(), cacheKeys: keysOf(calendar) };
    const input: PlanInput = { desired, existing: [], window: WINDOW, calendars: [{ calendarId, listedObjectCount: calendar.size }], confirmDeletions: false };
    return { db, changes: new Map([[calendarId, changes]]), expansion, input, memo };
  };
  const change = (upserts: string[], deletions: string[]): CollectionChanges => ({
    strategy: "SYNC_COLLECTION",
    upserts: upserts.map((key) => ({ key, etag: null, data: "" })),
    deletions,
    missing: [], deferredDeletions: [],
    state: { ctag: null, syncToken: null },
    objectCount: null,
    notes: [],
  });

  /** Applies random operations; returns the new calendar and the hrefs a delta would report. */
  const evolve = (before: Calendar, ops: (typeof opArb extends fc.Arbitrary<infer T> ? T : never)[]) => {
    const after: Calendar = new Map([...before].map(([href, o]) => [href, { ...o }]));
    const hrefs = () => [...after.keys()].sort();
    // A server gives every new version its own etag, also to an href deleted and created again.
    let etag = 1;
    const nextEtag = () => ++etag;
    for (const op of ops) {
      const href = hrefs()[("pick" in op ? op.pick : 0) % Math.max(1, after.size)];
      if (op.op === "put") after.set(op.href, { ...op.object, etag: nextEtag() });
      else if (href === undefined) continue;
      else if (op.op === "edit") after.set(href, { ...after.get(href)!, content: op.content, etag: nextEtag() });
      else if (op.op === "delete") after.delete(href);
      else if (!after.has(op.to)) {
        after.set(op.to, { ...after.get(href)!, etag: nextEtag() });
        after.delete(href);
      }
    }
    const upserts = hrefs().filter((href) => before.get(href)?.etag !== after.get(href)!.etag);
    const deletions = [...before.keys()].filter((href) => !after.has(href));
    return { after, upserts, deletions };
  };

  it("FIRST_IMPORT and SCOPED plan what COMPLETE plans, and the result is idempotent", async () => {
    await fc.assert(
      fc.asyncProperty(calendarArb, fc.array(opArb, { maxLength: 6 }), async (before, ops) => {
        await db.delete(eventLinks).where(eq(eventLinks.calendarId, calendarId));
        await db.delete(timeEntries).where(eq(timeEntries.userId, userId));

        const imported = inputsFor(before, change([...before.keys()], []), null);
        const firstImport = await FIRST_IMPORT.plan(imported);
        expect(firstImport?.plan).toEqual((await COMPLETE.plan(imported))?.plan);
        await applyPlan(db, userId, firstImport!.plan, []);

        const { after, upserts, deletions } = evolve(before, ops);
        const memo: SyncMemo = { fingerprint: "", states: new Map(), objects: keysOf(before), windowStart: WINDOW.start.getTime(), windowEnd: WINDOW.end.getTime(), linksAhead: [], heldElsewhere: { starts: [], warnings: [] } };
        const changed = inputsFor(after, change(upserts, deletions), memo);
        expect(await FIRST_IMPORT.plan(changed)).toBeNull();
        const complete = (await COMPLETE.plan(changed))!.plan;
        const scoped = (await SCOPED.plan(changed))?.plan;
        expect(scoped).toEqual(complete);

        await applyPlan(db, userId, complete, []);
        const again = (await COMPLETE.plan(changed))!.plan;
        expect([again.creates, again.updates, again.relinks, again.deletes, again.conflictsKept].flat()).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});
