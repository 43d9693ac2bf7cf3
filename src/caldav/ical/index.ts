export { calendarOccurrenceBudget, DEFAULT_MAX_OCCURRENCES_PER_CALENDAR, OccurrenceBudget } from "./budget.js";
export { IcsParseError } from "./errors.js";
export { expandCalendarObject } from "./expand.js";
export { repairIcsText } from "./repair.js";
export { ianaNameOf, resolveTimeZone } from "./time-zones.js";
export type { ExpandOptions, ExpandResult, Occurrence, SkippedOccurrence, SkipReason } from "./types.js";
