import { and, asc, count, desc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { timeEntries } from "../db/schema.js";
import { badInput } from "../errors.js";
import { validateTimezone } from "../users/validation.js";

export type TotalsGrouping = "DAY" | "WEEK" | "MONTH" | "PROJECT";

/** ISO 8601 day numbers: 1 is Monday, 7 is Sunday (PostgreSQL's `isodow`). */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export interface TotalsQuery {
  /** Entries starting at or after this instant... */
  from: Date;
  /** ...and before this one: the same entries as timeEntries(filter: {from, to}). */
  to: Date;
  groupBy: TotalsGrouping;
  /** IANA zone whose midnights bound days, weeks and months. */
  timezone: string;
  weekStartsOn: IsoWeekday;
}

export interface TimeTotal {
  /** The first local day of the period ("YYYY-MM-DD"); null when grouped by project. */
  period: string | null;
  /** The instant that local day starts; null when grouped by project. */
  periodStart: Date | null;
  /** Grouped by project: the project, or null for entries without one. */
  projectId: string | null;
  durationSeconds: number;
  entryCount: number;
}

/**
 * Sums of entry durations, grouped in the database. Each entry counts wholly in the period its
 * start falls in, in `timezone` (an entry from 23:00 to 01:00 counts on the day it starts), so the
 * totals add up to the entries a list with the same from/to shows.
 */
export async function timeTotals(db: Db, userId: string, query: TotalsQuery): Promise<TimeTotal[]> {
  if (query.to <= query.from) throw badInput("to", "must be after from");
  validateTimezone("timezone", query.timezone);
  const inRange = and(eq(timeEntries.userId, userId), gte(timeEntries.startTime, query.from), lt(timeEntries.startTime, query.to));
  if (query.groupBy === "PROJECT") {
    const seconds = sql<number>`sum(${timeEntries.durationSeconds})`.mapWith(Number);
    const rows = await db
      .select({ projectId: timeEntries.projectId, durationSeconds: seconds, entryCount: count() })
      .from(timeEntries)
      .where(inRange)
      .groupBy(timeEntries.projectId)
      .orderBy(desc(seconds), asc(timeEntries.projectId));
    return rows.map((row) => ({ ...row, period: null, periodStart: null }));
  }
  // The zone is a bound parameter in every expression that uses it: PostgreSQL would not see two
  // copies with different parameters as the same GROUP BY expression, so the period is computed
  // once in a subquery and grouped outside.
  const periods = db
    .select({
      day: periodOf(query.groupBy, query.weekStartsOn, sql`(${timeEntries.startTime} at time zone ${query.timezone})`).as("day"),
      seconds: timeEntries.durationSeconds,
    })
    .from(timeEntries)
    .where(inRange)
    .as("periods");
  return db
    .select({
      period: sql<string>`to_char(${periods.day}, 'YYYY-MM-DD')`,
      periodStart: sql<Date>`(${periods.day}::timestamp at time zone ${query.timezone})`.mapWith(timeEntries.startTime),
      projectId: sql<null>`null`,
      durationSeconds: sql<number>`sum(${periods.seconds})`.mapWith(Number),
      entryCount: count(),
    })
    .from(periods)
    .groupBy(periods.day)
    .orderBy(asc(periods.day));
}

/** The local date a period starts on, from the local wall time of an entry's start. */
function periodOf(grouping: Exclude<TotalsGrouping, "PROJECT">, weekStartsOn: IsoWeekday, local: SQL): SQL<string> {
  switch (grouping) {
    case "DAY":
      return sql`(${local})::date`;
    case "WEEK":
      // Back to the last weekStartsOn on or before that day.
      return sql`(${local})::date - ((extract(isodow from ${local})::int - ${weekStartsOn}::int + 7) % 7)`;
    case "MONTH":
      return sql`date_trunc('month', ${local})::date`;
  }
}
