/**
 * Step 1 of a sync: each selected calendar's changes since the last sync (./collection-sync.ts),
 * each on its own. A calendar whose download fails at the server (404, 500, a timeout, a URL that
 * is not a calendar) is reported with its URL and keeps its stored state; the others go on, as
 * DAVx5 syncs each collection apart. Nothing is written here.
 */
import { CalDAVError, describeCalendar, type CalDAVHttpClient } from "../caldav/index.js";
import type { Db } from "../db/client.js";
import { fetchCollectionChanges, type CollectionChanges, type SyncMode } from "./collection-sync.js";
import { mirrorEtags, type Calendar } from "./mirror.js";

export type CalendarDownload = { calendar: Calendar; changes: CollectionChanges; error: null } | { calendar: Calendar; changes: null; error: CalDAVError };

/** The mirror listings (href → etag) read so far; read only when a calendar changed. */
export class MirrorListings {
  private readonly listings = new Map<string, Map<string, string | null>>();
  constructor(private readonly db: Db) {}
  async of(calendarId: string): Promise<Map<string, string | null>> {
    let listing = this.listings.get(calendarId);
    if (!listing) this.listings.set(calendarId, (listing = await mirrorEtags(this.db, calendarId)));
    return listing;
  }
  /** The number of objects of a calendar, when its listing was read. */
  sizeOf(calendarId: string): number | undefined {
    return this.listings.get(calendarId)?.size;
  }
}

export async function downloadCalendars(client: CalDAVHttpClient, calendars: readonly Calendar[], mirrors: MirrorListings, mode: SyncMode): Promise<CalendarDownload[]> {
  const downloads: CalendarDownload[] = [];
  for (const calendar of calendars) {
    try {
      const changes = await fetchCollectionChanges(client, calendar.url, { ctag: calendar.ctag, syncToken: calendar.syncToken }, () => mirrors.of(calendar.id), mode);
      // A URL that is not a calendar (the server root, a principal) may answer a listing with
      // nothing at all: an empty answer is only believed from a calendar collection.
      if (changes.objectCount === 0) await describeCalendar(client, calendar.url);
      downloads.push({ calendar, changes, error: null });
    } catch (error) {
      if (!(error instanceof CalDAVError)) throw error;
      downloads.push({ calendar, changes: null, error });
    }
  }
  return downloads;
}
