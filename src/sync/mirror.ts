import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { calendarObjects, eventLinks, integrationCalendars, timeEntries } from "../db/schema.js";
import type { CollectionChanges } from "./collection-sync.js";
import type { ExistingLink } from "./plan.js";

/** Reads of the stored side of a sync: the collection mirror and the links of earlier imports. */

export async function mirrorEtags(db: Db, calendarId: string): Promise<Map<string, string | null>> {
  const rows = await db.select({ href: calendarObjects.href, etag: calendarObjects.etag }).from(calendarObjects).where(eq(calendarObjects.calendarId, calendarId));
  return new Map(rows.map((row) => [row.href, row.etag]));
}

export interface MirroredObject {
  calendarId: string;
  href: string;
  etag: string | null;
  data: string;
}

/** The mirror as it will be once `changes` are applied: what the calendars hold now. */
export async function mirroredObjects(db: Db, changes: Map<string, CollectionChanges>): Promise<MirroredObject[]> {
  const calendarIds = [...changes.keys()];
  if (calendarIds.length === 0) return [];
  const stored = await db
    .select({ calendarId: calendarObjects.calendarId, href: calendarObjects.href, etag: calendarObjects.etag, data: calendarObjects.data })
    .from(calendarObjects)
    .where(inArray(calendarObjects.calendarId, calendarIds));
  const byKey = new Map(stored.map((object) => [`${object.calendarId} ${object.href}`, object]));
  for (const [calendarId, change] of changes) {
    for (const href of change.deletions) byKey.delete(`${calendarId} ${href}`);
    for (const object of change.upserts) byKey.set(`${calendarId} ${object.key}`, { calendarId, href: object.key, etag: object.etag, data: object.data });
  }
  return [...byKey.values()];
}

/** The stored data of some objects of one calendar (href → data). */
export async function objectData(db: Db, calendarId: string, hrefs: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < hrefs.length; i += 1000) {
    const rows = await db
      .select({ href: calendarObjects.href, data: calendarObjects.data })
      .from(calendarObjects)
      .where(and(eq(calendarObjects.calendarId, calendarId), inArray(calendarObjects.href, hrefs.slice(i, i + 1000))));
    for (const row of rows) out.set(row.href, row.data);
  }
  return out;
}

export async function existingLinks(db: Db, calendarIds: string[]): Promise<ExistingLink[]> {
  if (calendarIds.length === 0) return [];
  const rows = await db
    .select({
      id: eventLinks.id,
      calendarId: eventLinks.calendarId,
      uid: eventLinks.uid,
      recurrenceId: eventLinks.recurrenceId,
      href: eventLinks.href,
      contentHash: eventLinks.contentHash,
      occurrenceStart: eventLinks.occurrenceStart,
      timeEntryId: eventLinks.timeEntryId,
      detached: eventLinks.detached,
      edited: timeEntries.editedAfterImport,
    })
    .from(eventLinks)
    .leftJoin(timeEntries, eq(timeEntries.id, eventLinks.timeEntryId))
    .where(inArray(eventLinks.calendarId, calendarIds));
  return rows.map(({ edited, ...link }) => ({ ...link, entryEditedAfterImport: edited ?? false }));
}

export async function selectedCalendars(db: Db, integrationId: string) {
  return db
    .select()
    .from(integrationCalendars)
    .where(and(eq(integrationCalendars.integrationId, integrationId), eq(integrationCalendars.selected, true)))
    .orderBy(sql`${integrationCalendars.displayName} nulls last`, integrationCalendars.url);
}
