import { describe, expect, it } from "vitest";
import type { DesiredEntry } from "./desired.js";
import { ImportPlanner } from "./plan-import.js";
import { compareStrings, occurrenceKey, planSync } from "./plan.js";

const WINDOW = { start: new Date("2026-01-01T00:00:00Z"), end: new Date("2026-07-01T00:00:00Z") };

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed by its seed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Objects of two calendars whose UIDs and RECURRENCE-IDs collide often, within and across objects. */
function randomObjects(seed: number): DesiredEntry[][] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const objects: DesiredEntry[][] = [];
  for (let o = 0; o < 1 + Math.floor(next() * 12); o++) {
    const calendarId = pick(["cal-a", "cal-b"]);
    const href = `https://dav.example/${calendarId}/${pick(["a", "b", "c", "d", "e", "f"])}-${o}.ics`;
    const entries: DesiredEntry[] = [];
    for (let e = 0; e < Math.floor(next() * 5); e++) {
      const start = new Date(WINDOW.start.getTime() + Math.floor(next() * 4) * 86_400_000);
      entries.push({
        calendarId,
        href,
        etag: `"${o}"`,
        uid: pick(["u1", "u2", "u3"]),
        recurrenceId: pick([null, "20260102T090000Z", "20260103T090000Z"]),
        start,
        end: new Date(start.getTime() + 3_600_000),
        durationSeconds: 3600,
        notes: `object ${o} entry ${e}`,
        projectId: null,
        matchedBy: "NONE",
        contentHash: pick(["h1", "h2", "h3"]),
      });
    }
    objects.push(entries);
  }
  return objects;
}

const byKey = (a: DesiredEntry, b: DesiredEntry) => compareStrings(occurrenceKey(a), occurrenceKey(b)) || compareStrings(a.href, b.href);

describe("the streamed import plan", () => {
  it("equals planSync's plan for calendars without links, on 500 random inputs", () => {
    for (let seed = 1; seed <= 500; seed++) {
      const objects = randomObjects(seed);
      const planner = new ImportPlanner();
      const handedOut: DesiredEntry[] = [];
      for (const entries of [...objects].sort((a, b) => compareStrings(a[0]?.href ?? "", b[0]?.href ?? ""))) handedOut.push(...planner.add(entries));
      const streamed = planner.finish();

      const complete = planSync({
        desired: objects.flat(),
        existing: [],
        window: WINDOW,
        calendars: [
          { calendarId: "cal-a", listedObjectCount: objects.length },
          { calendarId: "cal-b", listedObjectCount: 0 },
        ],
        confirmMassDeletion: false,
      });

      expect({ seed, creates: [...streamed.creates].sort(byKey), duplicates: streamed.duplicates }).toEqual({ seed, creates: complete.creates, duplicates: complete.duplicates });
      expect(handedOut).toEqual(streamed.creates);
      expect({ ...streamed, creates: [], duplicates: [] }).toEqual({ ...complete, creates: [], duplicates: [] });
    }
  });

  it("refuses objects out of href order, which would let the wrong duplicate win", () => {
    const entry = randomObjects(3).flat()[0]!;
    const planner = new ImportPlanner();
    planner.add([{ ...entry, href: "https://dav.example/cal-a/b.ics" }]);
    expect(() => planner.add([{ ...entry, href: "https://dav.example/cal-a/a.ics" }])).toThrow(/href order/);
  });
});
