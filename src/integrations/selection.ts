import { sameCalendarUrl } from "../caldav/index.js";
import type { CalendarSelectionInput, Integration, IntegrationCalendar } from "./service.js";

type Location = Pick<Integration, "serverUrl" | "calendarUrl">;
type Requested = CalendarSelectionInput & { field: string };

export interface SelectionPlan {
  /** Calendar rows to write: known calendars under their stored URL, one row per calendar. */
  upserts: Requested[];
  /** Selected calendars that stop being synced. */
  dropped: IntegrationCalendar[];
  locationChanged: boolean;
}

/**
 * Which calendars a configure selects and which it stops syncing. A calendar is recognised in any
 * URL form (src/caldav/http/calendar-url.ts), so it is never selected twice. A changed calendar
 * URL replaces the old one; a changed server URL keeps only the selected calendars on the new
 * server's origin (the same server, reached through another base URL), and drops the others.
 */
export function planSelection(current: Location | null, next: Location, known: readonly IntegrationCalendar[], requested: readonly Requested[]): SelectionPlan {
  const stored = (url: string) => known.find((c) => sameCalendarUrl(c.url, url))?.url ?? url;
  const upserts: Requested[] = [];
  const add = (selection: Requested) => {
    const url = stored(selection.url);
    const same = upserts.findIndex((u) => u.url === url);
    if (same >= 0) upserts.splice(same, 1);
    upserts.push({ ...selection, url });
  };
  for (const selection of requested) add(selection);
  const calendarUrlChanged = current !== null && !sameLocation(current.calendarUrl, next.calendarUrl);
  const serverUrlChanged = current !== null && !sameLocation(current.serverUrl, next.serverUrl);
  // A direct calendar URL is one selected calendar.
  if (next.calendarUrl && (current === null || calendarUrlChanged) && !upserts.some((u) => sameCalendarUrl(u.url, next.calendarUrl!))) {
    add({ url: next.calendarUrl, selected: true, field: "calendarUrl" });
  }

  const isDirect = (url: string) => next.calendarUrl !== null && sameCalendarUrl(url, next.calendarUrl);
  const serverOrigin = next.serverUrl ? new URL(next.serverUrl).origin : null;
  const movedAway = (calendar: IntegrationCalendar) => {
    if (isDirect(calendar.url)) return false;
    if (calendarUrlChanged && current?.calendarUrl && sameCalendarUrl(calendar.url, current.calendarUrl)) return true;
    return serverUrlChanged && new URL(calendar.url).origin !== serverOrigin;
  };
  const dropped = known.filter((calendar) => {
    if (!calendar.selected) return false;
    const asked = upserts.find((u) => u.url === calendar.url);
    return asked ? !asked.selected : movedAway(calendar);
  });
  return { upserts, dropped, locationChanged: calendarUrlChanged || serverUrlChanged };
}

function sameLocation(a: string | null, b: string | null): boolean {
  return a === null || b === null ? a === b : sameCalendarUrl(a, b);
}
