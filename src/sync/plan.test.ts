import { describe, expect, it } from "vitest";
import type { DesiredEntry } from "./desired.js";
import { MASS_DELETE_MIN_VANISHED, occurrenceKey, planSync, type ExistingLink, type PlanInput, type SyncPlan } from "./plan.js";

// ---------------------------------------------------------------------------
// Fixtures

const WINDOW = { start: new Date("2026-03-01T00:00:00Z"), end: new Date("2026-04-01T00:00:00Z") };
const IN_WINDOW = new Date("2026-03-10T09:00:00Z");
const BEFORE_WINDOW = new Date("2026-01-10T09:00:00Z");

function desired(overrides: Partial<DesiredEntry> = {}): DesiredEntry {
  const start = overrides.start ?? IN_WINDOW;
  return {
    calendarId: "cal",
    href: "/cal/a.ics",
    etag: '"1"',
    uid: "u1",
    recurrenceId: null,
    start,
    end: new Date(start.getTime() + 3_600_000),
    durationSeconds: 3600,
    notes: "Standup",
    projectId: null,
    matchedBy: "NONE",
    contentHash: "hash-1",
    ...overrides,
  };
}

function link(overrides: Partial<ExistingLink> = {}): ExistingLink {
  return {
    id: "link-1",
    calendarId: "cal",
    uid: "u1",
    recurrenceId: null,
    href: "/cal/a.ics",
    etag: '"1"',
    contentHash: "hash-1",
    occurrenceStart: IN_WINDOW,
    timeEntryId: "entry-1",
    entryEditedAfterImport: false,
    detached: false,
    ...overrides,
  };
}

/** n live links in one calendar, uids `${prefix}0…`, all in the window. */
function links(n: number, calendarId = "cal", prefix = "u"): ExistingLink[] {
  return Array.from({ length: n }, (_, i) =>
    link({ id: `${calendarId}-link-${i}`, calendarId, uid: `${prefix}${i}`, timeEntryId: `${calendarId}-entry-${i}` }),
  );
}

/** The desired entries that keep `ls` exactly as imported (nothing changed). */
function unchangedDesired(ls: ExistingLink[]): DesiredEntry[] {
  return ls.map((l) => desired({ calendarId: l.calendarId, uid: l.uid, href: l.href, contentHash: l.contentHash }));
}

function plan(input: Partial<PlanInput>): SyncPlan {
  return planSync({
    desired: [],
    existing: [],
    window: WINDOW,
    calendars: [{ calendarId: "cal", listedObjectCount: 10 }],
    confirmDeletions: false,
    ...input,
  });
}

/** What the plan does with the one key of a single-key test. */
function outcomeOf(p: SyncPlan): string {
  const outcomes = [
    ...p.creates.map(() => "CREATE"),
    ...p.updates.map(() => "UPDATE"),
    ...p.relinks.map(() => "RELINK"),
    ...p.deletes.map(() => "DELETE"),
    ...p.conflictsKept.map(() => "CONFLICT_KEPT"),
    ...Array.from({ length: p.unchanged }, () => "UNCHANGED"),
  ];
  return outcomes.length === 0 ? "NOTHING" : outcomes.join(",");
}

const ids = (ls: { id: string }[]) => ls.map((l) => l.id);

// ---------------------------------------------------------------------------
// The truth table

type LinkState = Pick<ExistingLink, "timeEntryId" | "entryEditedAfterImport" | "detached">;
const STATES: Record<string, LinkState> = {
  live: { timeEntryId: "entry-1", entryEditedAfterImport: false, detached: false },
  edited: { timeEntryId: "entry-1", entryEditedAfterImport: true, detached: false },
  detached: { timeEntryId: "entry-1", entryEditedAfterImport: false, detached: true },
  "edited+detached": { timeEntryId: "entry-1", entryEditedAfterImport: true, detached: true },
  tombstone: { timeEntryId: null, entryEditedAfterImport: false, detached: false },
  "tombstone+edited": { timeEntryId: null, entryEditedAfterImport: true, detached: false },
  "tombstone+detached": { timeEntryId: null, entryEditedAfterImport: false, detached: true },
  "tombstone+edited+detached": { timeEntryId: null, entryEditedAfterImport: true, detached: true },
};
type State = keyof typeof STATES;

describe("truth table: the occurrence is in the calendar", () => {
  it("no link → CREATE", () => {
    const d = desired();
    const p = plan({ desired: [d] });
    expect(outcomeOf(p)).toBe("CREATE");
    expect(p.creates).toEqual([d]);
  });

  it.each<[State, "same" | "differs", string]>([
    // link state                 hash       outcome
    ["live",                      "same",    "UNCHANGED"],
    ["edited",                    "same",    "UNCHANGED"],
    ["detached",                  "same",    "UNCHANGED"],
    ["edited+detached",           "same",    "UNCHANGED"],
    ["tombstone",                 "same",    "UNCHANGED"],
    ["tombstone+edited",          "same",    "UNCHANGED"],
    ["tombstone+detached",        "same",    "UNCHANGED"],
    ["tombstone+edited+detached", "same",    "UNCHANGED"],
    ["live",                      "differs", "UPDATE"],
    ["edited",                    "differs", "UPDATE"], // in the fields the user did not edit (apply.ts)
    ["detached",                  "differs", "UNCHANGED"], // detached for good
    ["edited+detached",           "differs", "UNCHANGED"],
    ["tombstone",                 "differs", "UNCHANGED"], // the user's deletion stands
    ["tombstone+edited",          "differs", "UNCHANGED"],
    ["tombstone+detached",        "differs", "UNCHANGED"],
    ["tombstone+edited+detached", "differs", "UNCHANGED"],
  ])("%s link, hash %s → %s", (state, hash, expected) => {
    const l = link(STATES[state]);
    const d = desired({ contentHash: hash === "same" ? "hash-1" : "hash-2" });
    const p = plan({ desired: [d], existing: [l] });
    expect(outcomeOf(p)).toBe(expected);
    if (expected === "UPDATE") expect(p.updates).toEqual([{ link: l, desired: d }]);
  });

  it("an event moved into the window from outside it is updated like any other change", () => {
    const l = link({ occurrenceStart: BEFORE_WINDOW });
    expect(outcomeOf(plan({ desired: [desired({ contentHash: "hash-2" })], existing: [l] }))).toBe("UPDATE");
  });
});

describe("truth table: the occurrence is gone from the calendar", () => {
  it.each<[State, string]>([
    // link state (occurrence in the window)  outcome
    ["live",                      "DELETE"],
    ["edited",                    "CONFLICT_KEPT"],
    ["detached",                  "NOTHING"],
    ["edited+detached",           "NOTHING"],
    ["tombstone",                 "NOTHING"], // the tombstone row stays untouched
    ["tombstone+edited",          "NOTHING"],
    ["tombstone+detached",        "NOTHING"],
    ["tombstone+edited+detached", "NOTHING"],
  ])("%s link → %s", (state, expected) => {
    const l = link(STATES[state]);
    const p = plan({ existing: [l] });
    expect(outcomeOf(p)).toBe(expected);
    if (expected === "DELETE") expect(p.deletes).toEqual([l]);
    if (expected.startsWith("CONFLICT")) expect(p.conflictsKept).toEqual([l]);
  });

  it.each<[string, Date, State, string]>([
    // the link's occurrence starts …              at                                    state     outcome
    ["long before the window",                    BEFORE_WINDOW,                         "live",   "NOTHING"],
    ["1 ms before the window",                    new Date(WINDOW.start.getTime() - 1),  "live",   "NOTHING"],
    ["exactly at the window start (inclusive)",   WINDOW.start,                          "live",   "DELETE"],
    ["1 ms before the window end",                new Date(WINDOW.end.getTime() - 1),    "live",   "DELETE"],
    ["exactly at the window end (exclusive)",     WINDOW.end,                            "live",   "NOTHING"],
    ["after the window",                          new Date("2026-06-01T00:00:00Z"),      "live",   "NOTHING"],
    ["before the window, entry edited",           BEFORE_WINDOW,                         "edited", "NOTHING"],
    ["at the window start, entry edited",         WINDOW.start,                          "edited", "CONFLICT_KEPT"],
  ])("%s → %s", (_when, occurrenceStart, state, expected) => {
    expect(outcomeOf(plan({ existing: [link({ ...STATES[state], occurrenceStart })] }))).toBe(expected);
  });
});

describe("keys", () => {
  it("keys by calendar, UID and RECURRENCE-ID", () => {
    const existing = [
      link({ id: "single", uid: "u1", recurrenceId: null }),
      link({ id: "instance", uid: "u1", recurrenceId: "2026-03-10T09:00:00.000Z" }),
      link({ id: "other-cal", calendarId: "cal-2", uid: "u1", recurrenceId: null }),
    ];
    const p = plan({
      desired: [
        desired({ uid: "u1", recurrenceId: "2026-03-10T09:00:00.000Z" }),
        desired({ uid: "u1", recurrenceId: "2026-03-17T09:00:00.000Z" }),
        desired({ calendarId: "cal-2", uid: "u1", recurrenceId: null }),
      ],
      existing,
      calendars: [
        { calendarId: "cal", listedObjectCount: 1 },
        { calendarId: "cal-2", listedObjectCount: 1 },
      ],
    });
    // The single event's link goes to the series' first instance without a link (a change of kind).
    expect(p.creates).toEqual([]);
    expect(p.relinks.map((r) => [r.link.id, r.desired.recurrenceId])).toEqual([["single", "2026-03-17T09:00:00.000Z"]]);
    expect(p.deletes).toEqual([]);
    expect(p.unchanged).toBe(2);
  });

  it("ignores links of calendars that are not synced this run", () => {
    const p = plan({ existing: [link({ calendarId: "deselected" })] });
    expect(outcomeOf(p)).toBe("NOTHING");
  });

  it("refuses desired entries of a calendar that is not synced (a caller bug)", () => {
    expect(() => plan({ desired: [desired({ calendarId: "elsewhere" })] })).toThrow(/not being synced/);
  });

  it("judges surplus links of one key (should the unique constraint ever fail) as vanished", () => {
    const p = plan({
      desired: [desired()],
      existing: [link({ id: "b", timeEntryId: "e-b" }), link({ id: "a", timeEntryId: "e-a" })],
    });
    expect(p.unchanged).toBe(1); // link "a" (smallest id) is the link
    expect(ids(p.deletes)).toEqual(["b"]);
  });
});

describe("duplicates: two objects claim one UID + RECURRENCE-ID", () => {
  const fromA = desired({ href: "/cal/a.ics", contentHash: "hash-a" });
  const fromB = desired({ href: "/cal/b.ics", contentHash: "hash-b" });

  it("imports the one from the smallest href and reports the other, whatever the input order", () => {
    for (const order of [[fromA, fromB], [fromB, fromA]]) {
      const p = plan({ desired: order });
      expect(p.creates).toEqual([fromA]);
      expect(p.duplicates).toEqual([fromB]);
    }
  });

  it("prefers the object the existing link points to, so the entry does not flip between objects", () => {
    const p = plan({ desired: [fromA, fromB], existing: [link({ href: "/cal/b.ics", contentHash: "hash-b" })] });
    expect(outcomeOf(p)).toBe("UNCHANGED");
    expect(p.duplicates).toEqual([fromA]);
  });

  it("is deterministic for duplicates within one object", () => {
    const early = desired({ start: new Date("2026-03-10T08:00:00Z"), contentHash: "x" });
    const late = desired({ start: new Date("2026-03-10T09:00:00Z"), contentHash: "y" });
    expect(plan({ desired: [late, early] }).creates).toEqual([early]);
    expect(plan({ desired: [early, late] }).creates).toEqual([early]);
  });

  it("imports an occurrence reached through two calendars once, from the calendar with the smallest URL", () => {
    const inTeam = desired({ calendarId: "cal-2" });
    const p = plan({
      desired: [desired(), inTeam],
      calendars: [
        { calendarId: "cal", listedObjectCount: 1, url: "https://dav.example/calendars/personal/" },
        { calendarId: "cal-2", listedObjectCount: 1, url: "https://dav.example/calendars/p-team/" },
      ],
    });
    expect(p.creates).toEqual([inTeam]);
    expect(p.duplicates).toEqual([]);
    expect(p.heldElsewhere).toEqual([{ desired: desired(), heldIn: "cal-2" }]);
  });

  it("keeps an occurrence in the calendar whose entry the user touched, and moves an untouched one to the smallest URL", () => {
    const calendars = [
      { calendarId: "cal", listedObjectCount: 1, url: "https://dav.example/b/" },
      { calendarId: "cal-2", listedObjectCount: 1, url: "https://dav.example/a/" },
    ];
    for (const [touch, holder] of [
      [{ entryEditedAfterImport: true }, "cal"],
      [{ timeEntryId: null }, "cal"],
      [{ detached: true }, "cal"],
      [{}, "cal-2"],
    ] as const) {
      const imported = link({ id: "l1", ...touch });
      const p = plan({ desired: [desired(), desired({ calendarId: "cal-2" })], existing: [imported], calendars });
      expect(p.heldElsewhere.map((h) => h.heldIn), JSON.stringify(touch)).toEqual([holder]);
      // Moved: the untouched entry of the other calendar goes, the holder's is created.
      if (holder === "cal-2") expect([p.deletes, p.creates.map((c) => c.calendarId)]).toEqual([[imported], ["cal-2"]]);
    }
  });

  it("leaves an occurrence to a calendar that failed this run and has a link for it", () => {
    const p = plan({
      desired: [desired({ calendarId: "cal-2" })],
      existing: [link({ id: "l1" })],
      calendars: [{ calendarId: "cal-2", listedObjectCount: 1, url: "https://dav.example/b/" }],
      unreachedCalendars: [{ calendarId: "cal", url: "https://dav.example/a/" }],
    });
    expect([p.creates, p.deletes, p.heldElsewhere.map((h) => h.heldIn)]).toEqual([[], [], ["cal"]]);
  });

  it("takes no entry away for a calendar that failed this run (found by the history test, seed 20261206)", () => {
    // The failed calendar has a tombstone for the occurrence; the synced one imported it since.
    const p = plan({
      desired: [desired({ calendarId: "cal-2" })],
      existing: [link({ id: "l1", timeEntryId: null }), link({ id: "l2", calendarId: "cal-2" })],
      calendars: [{ calendarId: "cal-2", listedObjectCount: 1, url: "https://dav.example/b/" }],
      unreachedCalendars: [{ calendarId: "cal", url: "https://dav.example/a/" }],
    });
    expect([p.deletes, p.heldElsewhere, p.unchanged]).toEqual([[], [], 1]);
  });
});

// ---------------------------------------------------------------------------
// Guards

describe("guard CALENDAR_EMPTY: a calendar that had entries lists no objects", () => {
  const emptyCal = [...links(2, "cal"), link({ id: "edited", uid: "edited", entryEditedAfterImport: true })];
  const otherCal = links(1, "cal-2");
  const input: Partial<PlanInput> = {
    desired: [desired({ calendarId: "cal-2", uid: "new" })],
    existing: [...emptyCal, ...otherCal],
    calendars: [
      { calendarId: "cal", listedObjectCount: 0 },
      { calendarId: "cal-2", listedObjectCount: 1 },
    ],
  };

  it("withholds that calendar's deletes and conflicts; the rest of the sync proceeds", () => {
    const p = plan(input);
    expect(p.guard).toEqual({
      kind: "CALENDAR_EMPTY",
      message: expect.stringMatching(/listed no objects.*\(cal\).*Nothing was deleted from that calendar \(2 deletions and 1 conflict withheld\)/),
      withheldDeletes: 2,
      withheldConflicts: 1,
      emptyCalendarIds: ["cal"],
    });
    expect(ids(p.deletes)).toEqual(["cal-2-link-0"]); // the other calendar's vanished event
    expect(p.conflictsKept).toEqual([]);
    expect(p.creates.map((c) => c.uid)).toEqual(["new"]);
  });

  it("deletes when the deletion is confirmed", () => {
    const p = plan({ ...input, confirmDeletions: true });
    expect(p.guard).toBeNull();
    expect(ids(p.deletes)).toEqual(["cal-link-0", "cal-link-1", "cal-2-link-0"]);
    expect(ids(p.conflictsKept)).toEqual(["edited"]);
  });

  it("does not fire when the calendar listed objects (they just have no occurrences in the window)", () => {
    const p = plan({ existing: links(2), calendars: [{ calendarId: "cal", listedObjectCount: 3 }] });
    expect(p.guard).toBeNull();
    expect(p.deletes).toHaveLength(2);
  });

  it("does not fire when the empty calendar has nothing to lose (tombstones, detached, out of window)", () => {
    const p = plan({
      existing: [
        link({ id: "t", timeEntryId: null }),
        link({ id: "d", uid: "d", detached: true }),
        link({ id: "old", uid: "old", occurrenceStart: BEFORE_WINDOW }),
      ],
      calendars: [{ calendarId: "cal", listedObjectCount: 0 }],
    });
    expect(p.guard).toBeNull();
    expect(outcomeOf(p)).toBe("NOTHING");
  });

  it("fires for a single imported entry (no minimum size)", () => {
    const p = plan({ existing: links(1), calendars: [{ calendarId: "cal", listedObjectCount: 0 }] });
    expect(p.guard?.kind).toBe("CALENDAR_EMPTY");
    expect(p.deletes).toEqual([]);
  });
});

describe("guard MASS_DELETE: more than half of the imported entries would go", () => {
  /** `total` imported entries, of which the first `vanishing` are gone from the calendar. */
  function scenario(total: number, vanishing: number): Partial<PlanInput> {
    const existing = links(total);
    return { existing, desired: unchangedDesired(existing.slice(vanishing)) };
  }

  it.each([
    // total  vanishing  withheld?
    [10, 6, true],
    [10, 5, false], // exactly half is not more than half
    [MASS_DELETE_MIN_VANISHED, MASS_DELETE_MIN_VANISHED, true],
    [MASS_DELETE_MIN_VANISHED - 1, MASS_DELETE_MIN_VANISHED - 1, false], // below the floor: small calendars sync normally
    [1, 1, false], // the last event of a one-event calendar was deleted
    [100, 49, false],
    [100, 51, true],
  ])("%i entries, %i vanish → withheld: %s", (total, vanishing, withheld) => {
    const p = plan(scenario(total, vanishing));
    expect(p.deletes).toHaveLength(withheld ? 0 : vanishing);
    expect(p.guard === null ? null : [p.guard.kind, p.guard.withheldDeletes]).toEqual(
      withheld ? ["MASS_DELETE", vanishing] : null,
    );
  });

  it("counts edited entries whose event vanished, and withholds their detaching too", () => {
    const existing = links(10).map((l, i) => (i < 3 ? { ...l, entryEditedAfterImport: true } : l));
    const p = plan({ existing, desired: unchangedDesired(existing.slice(6)) });
    expect(p.guard).toMatchObject({ kind: "MASS_DELETE", withheldDeletes: 3, withheldConflicts: 3 });
    expect(p.guard?.message).toMatch(/would remove 6 of 10 imported entries/);
    expect(p.conflictsKept).toEqual([]);
  });

  it("lets creates and updates proceed while deletes are withheld", () => {
    const existing = links(10);
    const changed = desired({ uid: "u9", contentHash: "hash-2" });
    const fresh = desired({ uid: "fresh" });
    const p = plan({ existing, desired: [...unchangedDesired(existing.slice(6, 9)), changed, fresh] });
    expect(p.guard?.kind).toBe("MASS_DELETE");
    expect(p.creates).toEqual([fresh]);
    expect(p.updates.map((u) => u.desired)).toEqual([changed]);
  });

  it("measures against the entries in the window, not the whole history", () => {
    const history = links(100, "cal", "old").map((l) => ({ ...l, occurrenceStart: BEFORE_WINDOW }));
    const p = plan({ existing: [...history, ...links(6)] });
    expect(p.guard).toMatchObject({ kind: "MASS_DELETE", withheldDeletes: 6 });
  });

  it("ignores tombstones and detached links when counting imported entries", () => {
    const gone = [...links(6, "cal", "t")].map((l) => ({ ...l, timeEntryId: null }));
    const detached = links(6, "cal", "d").map((l) => ({ ...l, detached: true }));
    const kept = links(5, "cal", "k");
    const vanishing = links(5);
    const p = plan({ existing: [...gone, ...detached, ...kept, ...vanishing], desired: unchangedDesired(kept) });
    expect(p.guard).toBeNull(); // 5 of 10, not more than half
    expect(p.deletes).toHaveLength(5);
  });

  it("deletes when the deletion is confirmed", () => {
    const p = plan({ ...scenario(10, 8), confirmDeletions: true });
    expect(p.guard).toBeNull();
    expect(p.deletes).toHaveLength(8);
  });

  it("is judged without the calendars already withheld as empty", () => {
    const p = plan({
      existing: [...links(100, "empty", "e"), ...links(10, "cal")],
      desired: unchangedDesired(links(10, "cal").slice(6)),
      calendars: [
        { calendarId: "empty", listedObjectCount: 0 },
        { calendarId: "cal", listedObjectCount: 4 },
      ],
    });
    expect(p.guard).toMatchObject({ kind: "CALENDAR_EMPTY", withheldDeletes: 106, emptyCalendarIds: ["empty"] });
    expect(p.guard?.message).toMatch(/listed no objects.*would remove 6 of 10.*Nothing was deleted from those calendars/);
    expect(p.deletes).toEqual([]);
  });

  it("neither counts nor withholds an occurrence that moved to the calendar holding it now", () => {
    // "b" imported six occurrences that "a" (the smaller URL) now delivers: they move to "a".
    const moving = links(6, "b", "shared");
    const p = plan({
      existing: [...moving, ...links(3, "b", "own"), links(1, "b", "gone")[0]!],
      desired: [...unchangedDesired(links(3, "b", "own")), ...unchangedDesired(moving), ...unchangedDesired(links(6, "a", "shared"))],
      calendars: [
        { calendarId: "a", listedObjectCount: 6, url: "https://dav.example.com/a/" },
        { calendarId: "b", listedObjectCount: 9, url: "https://dav.example.com/b/" },
      ],
    });
    expect(p.guard).toBeNull();
    expect(p.creates.map((d) => [d.calendarId, d.uid])).toEqual(links(6, "a", "shared").map((l) => ["a", l.uid]));
    expect(p.deletes.map((l) => l.uid).sort()).toEqual(["gone0", ...moving.map((l) => l.uid)].sort());
  });
});

describe("link identity is total", () => {
  it.each([
    ["another href", { href: "/cal/b.ics" }],
    ["another etag", { etag: '"2"' }],
  ])("same content from %s → RELINK: the entry stays, the link names the new object", (_label, change) => {
    const l = link();
    const d = desired(change);
    const p = plan({ desired: [d], existing: [l] });
    expect(outcomeOf(p)).toBe("RELINK");
    expect(p.relinks).toEqual([{ link: l, desired: d }]);
  });

  it("a tombstone follows its event to the new href too, so a later deletion there finds it", () => {
    const l = link(STATES.tombstone);
    expect(plan({ desired: [desired({ href: "/cal/b.ics", contentHash: "hash-2" })], existing: [l] }).relinks.map((r) => r.link.id)).toEqual(["link-1"]);
  });
});

describe("keys survive a change of kind (failure 3: time counted twice)", () => {
  const FIRST = "2026-03-10T09:00:00Z";
  const SECOND = "2026-03-17T09:00:00Z";
  const instance = (recurrenceId: string, start: string, hash = "hash-1") => desired({ recurrenceId, start: new Date(start), contentHash: hash });

  it("a single event the user edited becomes a series: the entry stays on the first instance, nothing is created for it", () => {
    const edited = link(STATES.edited);
    const p = plan({ desired: [instance(SECOND, "2026-03-17T09:00:00Z"), instance(FIRST, "2026-03-10T09:00:00Z")], existing: [edited] });
    expect(p.relinks.map((r) => [r.link.id, r.desired.recurrenceId])).toEqual([["link-1", FIRST]]);
    expect(p.creates.map((c) => c.recurrenceId)).toEqual([SECOND]);
    expect([...p.deletes, ...p.conflictsKept]).toEqual([]);
  });

  it("a changed single event becoming a series updates the entry on the first instance", () => {
    const p = plan({ desired: [instance(FIRST, "2026-03-10T09:00:00Z", "hash-2")], existing: [link()] });
    expect(outcomeOf(p)).toBe("UPDATE");
    expect(p.updates[0]!.desired.recurrenceId).toBe(FIRST);
  });

  it("an edited single event that changed as it became a series follows onto the first instance's key", () => {
    const p = plan({ desired: [instance(FIRST, "2026-03-10T09:00:00Z", "hash-2")], existing: [link(STATES.edited)] });
    expect(outcomeOf(p)).toBe("UPDATE");
    expect(p.updates[0]!.desired.recurrenceId).toBe(FIRST);
  });

  it("a series becomes a single event: the first instance's entry stays, the others go", () => {
    const first = link({ id: "first", recurrenceId: FIRST, ...STATES.edited });
    const second = link({ id: "second", recurrenceId: SECOND, occurrenceStart: new Date("2026-03-17T09:00:00Z"), timeEntryId: "entry-2" });
    const p = plan({ desired: [desired()], existing: [second, first] });
    expect(p.relinks.map((r) => [r.link.id, r.desired.recurrenceId])).toEqual([["first", null]]);
    expect(ids(p.deletes)).toEqual(["second"]);
    expect(p.creates).toEqual([]);
  });

  it("a link that starts before the window does not move: time passing never rewrites an old entry", () => {
    const old = link({ occurrenceStart: BEFORE_WINDOW });
    const p = plan({ desired: [instance(FIRST, "2026-03-10T09:00:00Z")], existing: [old] });
    expect(p.creates.map((c) => c.recurrenceId)).toEqual([FIRST]);
    expect(p.relinks).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// Properties over random inputs

/** A tiny deterministic PRNG (mulberry32), so failures reproduce from their seed. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    shuffle: <T>(items: readonly T[]): T[] => {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
      }
      return copy;
    },
  };
}

function randomInput(seed: number): PlanInput {
  const r = random(seed);
  const calendars = ["c0", "c1", "c2"].slice(0, 1 + Math.floor(r.pick([0, 1, 2]))).map((calendarId) => ({
    calendarId,
    listedObjectCount: r.chance(0.15) ? 0 : r.pick([1, 3, 20]),
  }));
  const starts = [BEFORE_WINDOW, WINDOW.start, IN_WINDOW, new Date(WINDOW.end.getTime() - 1), WINDOW.end];
  const existing: ExistingLink[] = [];
  const desiredEntries: DesiredEntry[] = [];
  let n = 0;
  for (const { calendarId, listedObjectCount } of calendars) {
    for (const uid of ["u0", "u1", "u2", "u3", "u4", "u5", "u6", "u7"]) {
      for (const recurrenceId of [null, "r1", "r2"]) {
        const key = { calendarId, uid, recurrenceId };
        const linkCount = r.chance(0.5) ? (r.chance(0.05) ? 2 : 1) : 0;
        for (let i = 0; i < linkCount; i++) {
          existing.push(
            link({
              ...key,
              id: `l${n++}`,
              href: r.pick(["/a.ics", "/b.ics"]),
              contentHash: r.pick(["h1", "h2"]),
              occurrenceStart: r.pick(starts),
              timeEntryId: r.chance(0.15) ? null : `e${n}`,
              entryEditedAfterImport: r.chance(0.2),
              detached: r.chance(0.15),
            }),
          );
        }
        if (listedObjectCount === 0 || r.chance(0.4)) continue;
        const copies = r.chance(0.05) ? 2 : 1;
        for (let i = 0; i < copies; i++) {
          desiredEntries.push(
            desired({ ...key, href: r.pick(["/a.ics", "/b.ics"]), contentHash: r.pick(["h1", "h2"]), start: r.pick(starts.slice(1, 4)) }),
          );
        }
      }
    }
  }
  return { desired: desiredEntries, existing, window: WINDOW, calendars, confirmDeletions: r.chance(0.3) };
}

/** What the sync would do to the link table, in memory. */
function apply(p: SyncPlan, existing: ExistingLink[]): ExistingLink[] {
  const deleted = new Set(p.deletes.map((l) => l.id));
  const detached = new Set(p.conflictsKept.map((l) => l.id));
  const updated = new Map(p.updates.map((u) => [u.link.id, u.desired]));
  const relinked = new Map(p.relinks.map((u) => [u.link.id, u.desired]));
  const moved = (l: ExistingLink, d: DesiredEntry | null | undefined) => (d ? { ...l, href: d.href, etag: d.etag, recurrenceId: d.recurrenceId, occurrenceStart: d.start } : l);
  const next = existing
    .filter((l) => !deleted.has(l.id))
    .map((l) => {
      const d = updated.get(l.id);
      if (d !== undefined) return { ...moved(l, d), contentHash: d.contentHash };
      if (relinked.has(l.id)) return moved(l, relinked.get(l.id));
      return detached.has(l.id) ? { ...l, detached: true } : l;
    });
  p.creates.forEach((d, i) =>
    next.push(
      link({ id: `new-${existing.length}-${i}`, calendarId: d.calendarId, uid: d.uid, recurrenceId: d.recurrenceId, href: d.href, contentHash: d.contentHash, occurrenceStart: d.start, timeEntryId: `new-entry-${i}` }),
    ),
  );
  return next;
}

const writes = (p: SyncPlan) => p.creates.length + p.updates.length + p.relinks.length + p.deletes.length + p.conflictsKept.length;

describe("properties (500 random inputs)", () => {
  const seeds = Array.from({ length: 500 }, (_, i) => i + 1);

  it("accounts for every desired occurrence exactly once and touches every link at most once", () => {
    for (const seed of seeds) {
      const input = randomInput(seed);
      const p = planSync(input);
      expect(p.creates.length + p.updates.length + p.relinks.length + p.duplicates.length + p.heldElsewhere.length + p.unchanged, `seed ${seed}`).toBe(
        input.desired.length,
      );
      const touched = [...p.updates.map((u) => u.link), ...p.relinks.map((u) => u.link), ...p.deletes, ...p.conflictsKept].map((l) => l.id);
      expect(new Set(touched).size, `seed ${seed}`).toBe(touched.length);
    }
  });

  it("is idempotent: applying the plan and planning again leaves nothing to do", () => {
    for (const seed of seeds) {
      const input = randomInput(seed);
      const first = planSync(input);
      const second = planSync({ ...input, existing: apply(first, input.existing) });
      if (first.guard === null) {
        expect(writes(second), `seed ${seed}`).toBe(0);
        expect(second.guard, `seed ${seed}`).toBeNull();
      } else {
        // Creates grow the set of imported entries, so the mass-delete guard may release
        // on the next run what it withheld — but only that, and then it is done.
        const confirmed = planSync({ ...input, confirmDeletions: true });
        const withheld = new Set([...confirmed.deletes, ...confirmed.conflictsKept].map((l) => l.id));
        expect(second.creates.length + second.updates.length, `seed ${seed}`).toBe(0);
        for (const l of [...second.deletes, ...second.conflictsKept]) {
          expect(withheld.has(l.id), `seed ${seed}`).toBe(true);
        }
        const third = planSync({ ...input, existing: apply(second, apply(first, input.existing)) });
        expect(writes(third), `seed ${seed}`).toBe(0);
      }
    }
  });

  it("does not depend on the order of its input", () => {
    for (const seed of seeds) {
      const input = randomInput(seed);
      const r = random(seed * 7919);
      const shuffled = { ...input, desired: r.shuffle(input.desired), existing: r.shuffle(input.existing), calendars: r.shuffle(input.calendars) };
      expect(planSync(shuffled), `seed ${seed}`).toEqual(planSync(input));
    }
  });

  it("plans a scope like the whole, given every key that is not NOTHING and the guard's counts", () => {
    for (const seed of seeds) {
      const input = randomInput(seed);
      const whole = planSync(input);
      // Every key the plan acts on, or would act on without the guards, must be in scope;
      // other keys join at random.
      const confirmed = planSync({ ...input, confirmDeletions: true });
      const acted = [
        ...[whole, confirmed].flatMap((p) => [
          ...p.creates,
          ...[...p.updates, ...p.relinks].flatMap((u) => [u.link, u.desired]),
          ...p.deletes,
          ...p.conflictsKept,
          ...p.duplicates,
          ...p.heldElsewhere.map((h) => h.desired),
        ]),
      ];
      // With several calendars, every UID in scope is planned in each of them (strategies.ts,
      // scopedPlanInput): which calendar holds an occurrence, and whether a vanished link moved to
      // it, depends on all of them.
      const actedUids = new Set(acted.map((item) => item.uid));
      const sameUid = input.calendars.length > 1 ? [...input.desired, ...input.existing].filter((item) => actedUids.has(item.uid)) : [];
      const r = random(seed * 104729);
      const scope = new Set([...acted, ...sameUid, ...[...input.desired, ...input.existing].filter(() => r.chance(0.3))].map(occurrenceKey));
      const counts = new Map<string, number>();
      for (const l of input.existing) {
        const inWindow = l.occurrenceStart >= WINDOW.start && l.occurrenceStart < WINDOW.end;
        if (l.timeEntryId !== null && !l.detached && inWindow) counts.set(l.calendarId, (counts.get(l.calendarId) ?? 0) + 1);
      }
      const scoped = planSync({
        ...input,
        desired: input.desired.filter((d) => scope.has(occurrenceKey(d))),
        existing: input.existing.filter((l) => scope.has(occurrenceKey(l))),
        guardedLinkCounts: counts,
      });
      const outside = input.desired.filter((d) => !scope.has(occurrenceKey(d))).length;
      expect({ ...scoped, unchanged: scoped.unchanged + outside }, `seed ${seed}`).toEqual(whole);
    }
  });

  it("exercises every outcome (the generator is not degenerate)", () => {
    const totals = { creates: 0, updates: 0, relinks: 0, deletes: 0, conflicts: 0, duplicates: 0, guards: 0 };
    for (const seed of seeds) {
      const p = planSync(randomInput(seed));
      totals.creates += p.creates.length;
      totals.updates += p.updates.length;
      totals.relinks += p.relinks.length;
      totals.deletes += p.deletes.length;
      totals.conflicts += p.conflictsKept.length;
      totals.duplicates += p.duplicates.length;
      totals.guards += p.guard === null ? 0 : 1;
    }
    for (const [outcome, count] of Object.entries(totals)) expect(count, outcome).toBeGreaterThan(10);
  });
});
