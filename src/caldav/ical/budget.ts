/**
 * A number of occurrences that several series share: all series of one calendar object, or all objects of one
 * calendar's sync. Expansion takes one per rule member it generates and stops, with a warning, once none is left,
 * so no object and no calendar can make expansion take unbounded time or memory.
 */
export class OccurrenceBudget {
  private used = 0;
  private warned = false;

  /** `scope` names what the budget covers in the warning: "calendar object", "calendar". */
  constructor(
    readonly limit: number,
    readonly scope: string,
  ) {}

  hasRoom(): boolean {
    return this.used < this.limit;
  }

  /** Takes one occurrence; false once the limit is reached. */
  take(): boolean {
    if (!this.hasRoom()) return false;
    this.used++;
    return true;
  }

  /** The warning for the event that hit the limit; null after the first, so a calendar warns once, not per object. */
  exhaustedWarning(uid: string): string | null {
    if (this.warned) return null;
    this.warned = true;
    return `The limit of ${this.limit} occurrences per ${this.scope} was reached at event ${uid}: later occurrences were not imported. Shorten the sync window or end the series that repeat most often.`;
  }
}

/** Default for ExpandOptions.maxOccurrencesPerObject: ten series at the per-series limit. */
export const DEFAULT_MAX_OCCURRENCES_PER_OBJECT = 100_000;

/** A sensible budget for one calendar's sync: ten times what the largest calendars we measured expand to. */
export const DEFAULT_MAX_OCCURRENCES_PER_CALENDAR = 1_000_000;

/** The budget a sync passes as ExpandOptions.calendarBudget to every object of one calendar. */
export function calendarOccurrenceBudget(limit = DEFAULT_MAX_OCCURRENCES_PER_CALENDAR): OccurrenceBudget {
  return new OccurrenceBudget(limit, "calendar");
}
