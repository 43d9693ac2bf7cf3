import { and, count, eq, gte, inArray, isNotNull, lt, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { calendarObjects, eventLinks, integrationCalendars, timeEntries } from "../db/schema.js";
import { entryEdited } from "../time-entries/edits.js";
import type { ExistingLink } from "./plan.js";

/** Reads of the stored side of a sync: the collection mirror and the links of earlier imports. */

export type Calendar = typeof integrationCalendars.$inferSelect;

export async function mirrorEtags(db: Db, calendarId: string): Promise<Map<string, string | null>> {
  const rows = await db.select({ href: calendarObjects.href, etag: calendarObjects.etag }).from(calendarObjects).where(eq(calendarObjects.calendarId, calendarId));
  return new Map(rows.map((row) => [row.href, row.etag]));
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
  return selectLinks(db, inArray(eventLinks.calendarId, calendarIds));
}

/** The live links (with an entry, not detached) of these calendars whose occurrence starts at or after `from`. */
export async function liveLinksFrom(db: Db, calendarIds: string[], from: Date): Promise<{ calendarId: string; href: string; start: number }[]> {
  if (calendarIds.length === 0) return [];
  const rows = await db
    .select({ calendarId: eventLinks.calendarId, href: eventLinks.href, start: eventLinks.occurrenceStart })
    .from(eventLinks)
    .where(and(inArray(eventLinks.calendarId, calendarIds), gte(eventLinks.occurrenceStart, from), isNotNull(eventLinks.timeEntryId), eq(eventLinks.detached, false)));
  return rows.map((row) => ({ calendarId: row.calendarId, href: row.href, start: row.start.getTime() }));
}

/** Whether any of these calendars holds a link (tombstones and detached ones included). */
export async function anyLinks(db: Db, calendarIds: string[]): Promise<boolean> {
  if (calendarIds.length === 0) return false;
  const rows = await db.select({ id: eventLinks.id }).from(eventLinks).where(inArray(eventLinks.calendarId, calendarIds)).limit(1);
  return rows.length > 0;
}

/** The links of one calendar that belong to the given objects (hrefs) or UIDs. */
export async function linksOf(db: Db, calendarId: string, hrefs: readonly string[], uids: readonly string[]): Promise<ExistingLink[]> {
  const out: ExistingLink[] = [];
  for (let i = 0; i < Math.max(hrefs.length, uids.length); i += 1000) {
    const h = hrefs.slice(i, i + 1000);
    const u = uids.slice(i, i + 1000);
    const conditions = [...(h.length > 0 ? [inArray(eventLinks.href, h)] : []), ...(u.length > 0 ? [inArray(eventLinks.uid, u)] : [])];
    out.push(...(await selectLinks(db, and(eq(eventLinks.calendarId, calendarId), or(...conditions))!)));
  }
  // A link matched by both its href and its UID in different rounds is one link.
  return [...new Map(out.map((link) => [link.id, link])).values()];
}

/**
 * Per calendar, the links the plan's mass-delete guard weighs (./plan.ts): with an entry, not
 * detached, starting in the window.
 */
export async function guardedLinkCounts(db: Db, calendarIds: string[], window: { start: Date; end: Date }): Promise<Map<string, number>> {
  if (calendarIds.length === 0) return new Map();
  const rows = await db
    .select({ calendarId: eventLinks.calendarId, count: count() })
    .from(eventLinks)
    .where(
      and(
        inArray(eventLinks.calendarId, calendarIds),
        isNotNull(eventLinks.timeEntryId),
        eq(eventLinks.detached, false),
        gte(eventLinks.occurrenceStart, window.start),
        lt(eventLinks.occurrenceStart, window.end),
      ),
    )
    .groupBy(eventLinks.calendarId);
  return new Map(rows.map((row) => [row.calendarId, row.count]));
}

async function selectLinks(db: Db, where: SQL): Promise<ExistingLink[]> {
  const rows = await db
    .select({
      id: eventLinks.id,
      calendarId: eventLinks.calendarId,
      uid: eventLinks.uid,
      recurrenceId: eventLinks.recurrenceId,
      href: eventLinks.href,
      etag: eventLinks.etag,
      contentHash: eventLinks.contentHash,
      occurrenceStart: eventLinks.occurrenceStart,
      timeEntryId: eventLinks.timeEntryId,
      detached: eventLinks.detached,
      edited: entryEdited(),
    })
    .from(eventLinks)
    .leftJoin(timeEntries, eq(timeEntries.id, eventLinks.timeEntryId))
    .where(where);
  return rows.map(({ edited, ...link }) => ({ ...link, entryEditedAfterImport: edited ?? false }));
}

export async function selectedCalendars(db: Db, integrationId: string): Promise<Calendar[]> {
  return db
    .select()
    .from(integrationCalendars)
    .where(and(eq(integrationCalendars.integrationId, integrationId), eq(integrationCalendars.selected, true)))
    .orderBy(sql`${integrationCalendars.displayName} nulls last`, integrationCalendars.url);
}
