import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../helpers/api.js";
import { countStatements } from "../helpers/query-count.js";

const TOTALS = `query($from: DateTime!, $to: DateTime!, $groupBy: TotalsGrouping!, $tz: String, $weekStartsOn: Weekday) {
  timeTotals(from: $from, to: $to, groupBy: $groupBy, timezone: $tz, weekStartsOn: $weekStartsOn) {
    timezone weekStartsOn durationSeconds entryCount
    groups { period periodStart projectId project { name } durationSeconds entryCount }
  }
}`;

/**
 * Entries around Berlin's switch to summer time (Sunday 2026-03-29, 01:00 UTC: CET +1 → CEST +2)
 * and the week boundary that follows, seen from Berlin and from New York (EDT, -4, since 8 March).
 * Every expectation below was worked out by hand from these offsets, not by any code.
 *
 *      start (UTC)          length   Berlin local          New York local
 *  E1  2026-03-28 22:30     1 h      Sat 28  23:30 CET     Sat 28  18:30
 *  E2  2026-03-28 23:30     2 h      Sun 29  00:30 CET     Sat 28  19:30
 *  E3  2026-03-29 00:30     1 h      Sun 29  01:30 CET     Sat 28  20:30   (runs across the switch)
 *  E4  2026-03-29 21:30     30 min   Sun 29  23:30 CEST    Sun 29  17:30
 *  E5  2026-03-29 22:30     45 min   Mon 30  00:30 CEST    Sun 29  18:30   (a fixed +1 would say Sunday)
 *  E6  2026-03-30 04:30     15 min   Mon 30  06:30 CEST    Mon 30  00:30   (a fixed -5 would say Sunday)
 *  E7  2026-10-25 00:30     30 min   Sun 25 Oct 02:30 CEST Sat 24 Oct 20:30
 *  E8  2026-10-31 23:30     1 h      Sun 1 Nov 00:30 CET  Sat 31 Oct 19:30 (after Berlin's fall back)
 */
const ENTRIES = [
  { start: "2026-03-28T22:30:00Z", seconds: 3600, project: "Alpha" },
  { start: "2026-03-28T23:30:00Z", seconds: 7200, project: "Alpha" },
  { start: "2026-03-29T00:30:00Z", seconds: 3600, project: "Beta" },
  { start: "2026-03-29T21:30:00Z", seconds: 1800, project: "Beta" },
  { start: "2026-03-29T22:30:00Z", seconds: 2700, project: null },
  { start: "2026-03-30T04:30:00Z", seconds: 900, project: "Alpha" },
  { start: "2026-10-25T00:30:00Z", seconds: 1800, project: null },
  { start: "2026-10-31T23:30:00Z", seconds: 3600, project: null },
];
const MARCH = { from: "2026-03-20T00:00:00Z", to: "2026-04-05T00:00:00Z" };
const YEAR = { from: "2026-03-01T00:00:00Z", to: "2026-12-01T00:00:00Z" };

const period = (period: string, periodStart: string, durationSeconds: number, entryCount: number) => ({
  period,
  periodStart,
  projectId: null,
  project: null,
  durationSeconds,
  entryCount,
});

describe("timeTotals", () => {
  let api: TestApi;
  let berliner: { id: string; token: string };
  const projectIds = new Map<string, string>();

  const totals = async (variables: Record<string, unknown>, token = berliner.token) => {
    const res = await api.graphql(token, TOTALS, variables);
    expect(res.errors).toBeUndefined();
    return res.data?.timeTotals;
  };

  beforeAll(async () => {
    api = await startTestApi();
    berliner = await api.createUser("totals-berlin@example.com", "Europe/Berlin");
    for (const name of ["Alpha", "Beta"]) {
      projectIds.set(name, (await api.graphql(berliner.token, "mutation($n: String!) { createProject(input: {name: $n}) { id } }", { n: name })).data?.createProject.id);
    }
    const create = "mutation($input: CreateTimeEntryInput!) { createTimeEntry(input: $input) { id } }";
    for (const entry of ENTRIES) {
      const end = new Date(Date.parse(entry.start) + entry.seconds * 1000).toISOString();
      const res = await api.graphql(berliner.token, create, { input: { startTime: entry.start, endTime: end, projectId: entry.project && projectIds.get(entry.project) } });
      expect(res.errors).toBeUndefined();
    }
    // Someone else's entry in the same hours must never count.
    const stranger = await api.createUser("totals-stranger@example.com", "Europe/Berlin");
    await api.graphql(stranger.token, create, { input: { startTime: "2026-03-29T10:00:00Z", endTime: "2026-03-29T18:00:00Z" } });
  });
  afterAll(() => api.close());

  it("sums per day in the caller's zone by default, across the switch to summer time", async () => {
    expect(await totals({ ...MARCH, groupBy: "DAY" })).toEqual({
      timezone: "Europe/Berlin",
      weekStartsOn: "MONDAY",
      durationSeconds: 19800,
      entryCount: 6,
      groups: [
        period("2026-03-28", "2026-03-27T23:00:00.000Z", 3600, 1),
        period("2026-03-29", "2026-03-28T23:00:00.000Z", 12600, 3),
        period("2026-03-30", "2026-03-29T22:00:00.000Z", 3600, 2),
      ],
    });
  });

  it("sums per day in another zone when asked", async () => {
    const answer = await totals({ ...MARCH, groupBy: "DAY", tz: "America/New_York" });
    expect(answer.timezone).toBe("America/New_York");
    expect(answer.groups).toEqual([
      period("2026-03-28", "2026-03-28T04:00:00.000Z", 14400, 3),
      period("2026-03-29", "2026-03-29T04:00:00.000Z", 4500, 2),
      period("2026-03-30", "2026-03-30T04:00:00.000Z", 900, 1),
    ]);
  });

  it("sums per ISO week (Monday first) in two zones", async () => {
    expect((await totals({ ...MARCH, groupBy: "WEEK" })).groups).toEqual([
      period("2026-03-23", "2026-03-22T23:00:00.000Z", 16200, 4),
      period("2026-03-30", "2026-03-29T22:00:00.000Z", 3600, 2),
    ]);
    expect((await totals({ ...MARCH, groupBy: "WEEK", tz: "America/New_York" })).groups).toEqual([
      period("2026-03-23", "2026-03-23T04:00:00.000Z", 18900, 5),
      period("2026-03-30", "2026-03-30T04:00:00.000Z", 900, 1),
    ]);
  });

  it("sums per week starting on Sunday in two zones", async () => {
    const berlin = await totals({ ...MARCH, groupBy: "WEEK", weekStartsOn: "SUNDAY" });
    expect(berlin.weekStartsOn).toBe("SUNDAY");
    expect(berlin.groups).toEqual([
      period("2026-03-22", "2026-03-21T23:00:00.000Z", 3600, 1),
      period("2026-03-29", "2026-03-28T23:00:00.000Z", 16200, 5),
    ]);
    expect((await totals({ ...MARCH, groupBy: "WEEK", weekStartsOn: "SUNDAY", tz: "America/New_York" })).groups).toEqual([
      period("2026-03-22", "2026-03-22T04:00:00.000Z", 14400, 3),
      period("2026-03-29", "2026-03-29T04:00:00.000Z", 5400, 3),
    ]);
  });

  it("sums per month in two zones, across both switches", async () => {
    expect((await totals({ ...YEAR, groupBy: "MONTH" })).groups).toEqual([
      period("2026-03-01", "2026-02-28T23:00:00.000Z", 19800, 6),
      period("2026-10-01", "2026-09-30T22:00:00.000Z", 1800, 1),
      period("2026-11-01", "2026-10-31T23:00:00.000Z", 3600, 1),
    ]);
    expect((await totals({ ...YEAR, groupBy: "MONTH", tz: "America/New_York" })).groups).toEqual([
      period("2026-03-01", "2026-03-01T05:00:00.000Z", 19800, 6),
      period("2026-10-01", "2026-10-01T04:00:00.000Z", 5400, 2),
    ]);
  });

  it("sums per project, longest first, entries without a project together", async () => {
    const answer = await totals({ ...MARCH, groupBy: "PROJECT" });
    expect(answer.groups).toEqual([
      { period: null, periodStart: null, projectId: projectIds.get("Alpha"), project: { name: "Alpha" }, durationSeconds: 11700, entryCount: 3 },
      { period: null, periodStart: null, projectId: projectIds.get("Beta"), project: { name: "Beta" }, durationSeconds: 5400, entryCount: 2 },
      { period: null, periodStart: null, projectId: null, project: null, durationSeconds: 2700, entryCount: 1 },
    ]);
    expect(answer.durationSeconds).toBe(19800);
  });

  it("counts an entry by its start: from and to bound start times as timeEntries' filter does", async () => {
    // From Sunday 00:00 UTC: E1 and E2 started before; E3 starts at 00:30 and runs on.
    const answer = await totals({ from: "2026-03-29T00:30:00Z", to: "2026-03-29T22:30:00Z", groupBy: "DAY" });
    expect(answer.groups).toEqual([period("2026-03-29", "2026-03-28T23:00:00.000Z", 5400, 2)]);
  });

  it("is one grouped query in the database, not a scan of entries in the server", async () => {
    const statements = await countStatements(api.database.db, () => totals({ ...MARCH, groupBy: "WEEK" }));
    expect(statements.filter((s) => /"time_entries"/.test(s))).toHaveLength(1);
    expect(statements.find((s) => /"time_entries"/.test(s))).toMatch(/group by/i);
  });

  it.each([
    ["an unknown zone", { ...MARCH, groupBy: "DAY", tz: "Mars/Olympus_Mons" }, "timezone"],
    ["to before from", { from: MARCH.to, to: MARCH.from, groupBy: "DAY" }, "to"],
  ])("refuses %s with BAD_USER_INPUT naming the field", async (_label, variables, field) => {
    const res = await api.graphql(berliner.token, TOTALS, variables);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
  });
});
