/**
 * The sync window, defined once: which instants an integration imports. Its days are fixed
 * 24-hour spans counted from now, not calendar days (a window does not move at a DST change).
 */
export const MS_PER_DAY = 86_400_000;

export interface TimeWindow {
  /** inclusive */
  start: Date;
  /** exclusive */
  end: Date;
}

/** From `lookbackDays` before `now` to `lookaheadDays` after it. */
export function syncWindow(now: Date, lookbackDays: number, lookaheadDays: number): TimeWindow {
  return { start: new Date(now.getTime() - lookbackDays * MS_PER_DAY), end: new Date(now.getTime() + lookaheadDays * MS_PER_DAY) };
}

/** Whether an instant lies in the window: the start belongs to it, the end does not. */
export function inWindow(instant: Date, window: TimeWindow): boolean {
  const t = instant.getTime();
  return t >= window.start.getTime() && t < window.end.getTime();
}
