import { describe, expect, it } from "vitest";
import { createProjectMatcher } from "../projects/match.js";
import { NOTES_MAX_LENGTH } from "../time-entries/service.js";
import {
  buildDesiredEntries,
  buildNotes,
  contentHash,
  type CalendarObjectSource,
  type OccurrenceLike,
} from "./desired.js";

const source: CalendarObjectSource = { calendarId: "cal-1", href: "/cal/1/a.ics", etag: '"e1"', defaultProjectId: null };
const matcher = createProjectMatcher([
  { id: "p-alpha", name: "Alpha" },
  { id: "p-ops", name: "Ops" },
]);

function occurrence(overrides: Partial<OccurrenceLike> = {}): OccurrenceLike {
  return {
    uid: "uid-1",
    recurrenceId: null,
    start: new Date("2026-03-02T10:00:00Z"),
    end: new Date("2026-03-02T11:30:00Z"),
    summary: "Alpha planning",
    description: null,
    categories: [],
    ...overrides,
  };
}

function build(o: Partial<OccurrenceLike> = {}, s: Partial<CalendarObjectSource> = {}) {
  const [entry] = buildDesiredEntries({ ...source, ...s }, [occurrence(o)], matcher);
  if (entry === undefined) throw new Error("no entry");
  return entry;
}

describe("buildDesiredEntries", () => {
  it("maps an occurrence to a desired entry", () => {
    const entry = build();
    expect(entry).toEqual({
      calendarId: "cal-1",
      href: "/cal/1/a.ics",
      etag: '"e1"',
      uid: "uid-1",
      recurrenceId: null,
      start: new Date("2026-03-02T10:00:00Z"),
      end: new Date("2026-03-02T11:30:00Z"),
      durationSeconds: 5400,
      notes: "Alpha planning",
      projectId: "p-alpha",
      matchedBy: "TITLE",
      contentHash: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });

  it("keeps one entry per occurrence, in order, with its recurrence id", () => {
    const entries = buildDesiredEntries(
      source,
      [
        occurrence({ recurrenceId: "2026-03-02T10:00:00.000Z" }),
        occurrence({ recurrenceId: "2026-03-09T10:00:00.000Z", start: new Date("2026-03-09T10:00:00Z"), end: new Date("2026-03-09T11:00:00Z") }),
      ],
      matcher,
    );
    expect(entries.map((e) => [e.recurrenceId, e.durationSeconds])).toEqual([
      ["2026-03-02T10:00:00.000Z", 5400],
      ["2026-03-09T10:00:00.000Z", 3600],
    ]);
  });

  it("rounds the duration to whole seconds", () => {
    expect(build({ end: new Date("2026-03-02T10:00:01.499Z") }).durationSeconds).toBe(1);
    expect(build({ end: new Date("2026-03-02T10:00:01.500Z") }).durationSeconds).toBe(2);
  });

  it.each([
    // summary, categories, default → project, matchedBy
    ["Alpha planning", [], null, "p-alpha", "TITLE"],
    ["Standup", ["ops"], null, "p-ops", "CATEGORY"],
    ["Standup", [], "p-default", "p-default", "DEFAULT"],
    ["Standup", [], null, null, "NONE"],
  ] as const)("matches %j %j default=%s → %s by %s", (summary, categories, defaultProjectId, projectId, matchedBy) => {
    const entry = build({ summary, categories: [...categories] }, { defaultProjectId });
    expect([entry.projectId, entry.matchedBy]).toEqual([projectId, matchedBy]);
  });
});

describe("buildNotes", () => {
  it.each([
    ["Standup", null, "Standup"],
    ["Standup", "", "Standup"],
    ["Standup", "   \n ", "Standup"],
    ["Standup", "Agenda:\n- a", "Standup\n\nAgenda:\n- a"],
    ["  Standup  ", "  Agenda  ", "Standup\n\nAgenda"],
    ["Standup", "line 1\r\nline 2\rline 3", "Standup\n\nline 1\nline 2\nline 3"],
    ["", "Only a description", "Only a description"],
    ["", null, ""],
  ])("%j + %j → %j", (summary, description, notes) => {
    expect(buildNotes(summary, description)).toBe(notes);
  });

  it("caps the notes at NOTES_MAX_LENGTH with an ellipsis", () => {
    const notes = buildNotes("Title", "x".repeat(20_000));
    expect(notes).toHaveLength(NOTES_MAX_LENGTH);
    expect(notes.startsWith("Title\n\nxxx")).toBe(true);
    expect(notes.endsWith("x…")).toBe(true);
  });

  it("leaves notes of exactly NOTES_MAX_LENGTH alone", () => {
    const summary = "y".repeat(NOTES_MAX_LENGTH);
    expect(buildNotes(summary, null)).toBe(summary);
  });

  it("never cuts a surrogate pair in half", () => {
    const notes = buildNotes("😀".repeat(NOTES_MAX_LENGTH), null);
    expect(notes.length).toBeLessThanOrEqual(NOTES_MAX_LENGTH);
    expect(notes.endsWith("😀…")).toBe(true);
    expect(notes).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/); // no lone surrogate
  });
});

describe("contentHash", () => {
  const base = build();

  it("is stable: the same event gives the same hash", () => {
    expect(build().contentHash).toBe(base.contentHash);
  });

  it.each([
    ["start", { start: new Date("2026-03-02T09:00:00Z") }, {}],
    ["end", { end: new Date("2026-03-02T12:00:00Z") }, {}],
    ["title", { summary: "Alpha planning!" }, {}],
    ["description", { description: "agenda" }, {}],
    ["project (title now matches another project)", { summary: "Ops planning" }, {}],
  ] as const)("changes when the %s changes", (_what, o, s) => {
    expect(build({ ...o }, { ...s }).contentHash).not.toBe(base.contentHash);
  });

  it("changes when only the default project changes for an event matched by default", () => {
    const a = build({ summary: "Standup" }, { defaultProjectId: "d1" });
    const b = build({ summary: "Standup" }, { defaultProjectId: "d2" });
    expect(a.contentHash).not.toBe(b.contentHash);
  });

  it.each([
    ["etag", {}, { etag: '"e2"' }],
    ["href", {}, { href: "/cal/1/moved.ics" }],
    ["categories that do not change the match", { categories: ["Work"] }, {}],
  ] as const)("ignores the %s", (_what, o, s) => {
    expect(build({ ...o }, { ...s }).contentHash).toBe(base.contentHash);
  });

  it("changes when only matchedBy changes (same project, found another way)", () => {
    const fields = { start: base.start, end: base.end, notes: base.notes, projectId: "p-alpha" };
    expect(contentHash({ ...fields, matchedBy: "TITLE" })).toBe(base.contentHash);
    expect(contentHash({ ...fields, matchedBy: "CATEGORY" })).not.toBe(base.contentHash);
  });

  it("is unambiguous about field boundaries", () => {
    const start = new Date(0);
    const end = new Date(1000);
    expect(contentHash({ start, end, notes: "a", projectId: "b", matchedBy: "TITLE" })).not.toBe(
      contentHash({ start, end, notes: 'a","b', projectId: null, matchedBy: "TITLE" }),
    );
  });
});
