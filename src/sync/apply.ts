/**
 * Writes one sync in one transaction: the mirror, the calendars' sync state, and the plan's
 * creates, updates, deletes and detachments — in batches, never a query per event. A crash
 * anywhere leaves the previous state whole, and the next sync does the work again.
 *
 * The downloaded objects do not depend on the plan, so they are sent first and the database
 * stores them while `prepare` expands and plans (reading through the same transaction); so are
 * the creates of an import, batch by batch as their objects are expanded; the rest follows once
 * the plan is known. Batches are sent without waiting for each other (the driver
 * pipelines them), so the next batch is serialised while the database writes the previous one.
 */
import { randomUUID } from "node:crypto";
import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { calendarObjects, eventLinks, integrationCalendars, timeEntries } from "../db/schema.js";
import type { CollectionChanges } from "./collection-sync.js";
import type { DesiredEntry } from "./desired.js";
import type { SyncPlan } from "./plan.js";

const BATCH = 500;
/** Rows per statement when a batch travels as one JSON parameter. */
const JSON_BATCH = 5000;

/**
 * Writes that `prepare` may start before its plan is complete. Only for creates that are final
 * whatever the rest of the plan holds: an import into calendars without links (./plan-import.ts).
 */
export interface EarlyWrites {
  /** Sends these creates now; the plan lists them too, and they are written once. */
  create(entries: DesiredEntry[]): void;
}

/** Runs `prepare` (expansion and plan) inside the sync's transaction and writes what it planned. */
export async function applySync<T extends { plan: SyncPlan }>(
  db: Db,
  userId: string,
  changes: Map<string, CollectionChanges>,
  prepare: (tx: Tx, early: EarlyWrites) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    const objectsWritten = Promise.all([...changes].map(([calendarId, change]) => writeMirrorObjects(tx, calendarId, change)));
    const createdEarly = new Set<DesiredEntry>();
    const earlyStatements: Promise<void>[] = [];
    const early: EarlyWrites = {
      create(entries) {
        for (const entry of entries) createdEarly.add(entry);
        const written = createEntries(tx, userId, entries);
        written.catch(() => {}); // awaited below; a failure fails the transaction there
        earlyStatements.push(written);
      },
    };
    const [prepared] = await Promise.all([prepare(tx, early), objectsWritten]);
    await Promise.all(earlyStatements);
    const { plan } = prepared;
    await Promise.all([...changes].map(([calendarId, change]) => writeMirrorState(tx, calendarId, change)));
    await deleteEntries(tx, userId, plan);
    await detachConflicts(tx, plan);
    await updateEntries(tx, userId, plan.updates);
    await createEntries(tx, userId, plan.creates.filter((entry) => !createdEarly.has(entry)));
    return prepared;
  });
}

export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

async function writeMirrorObjects(tx: Tx, calendarId: string, change: CollectionChanges): Promise<void> {
  await Promise.all(
    chunks(change.deletions).map((hrefs) => tx.delete(calendarObjects).where(and(eq(calendarObjects.calendarId, calendarId), inArray(calendarObjects.href, hrefs)))),
  );
  // One JSON parameter per batch instead of four bind parameters per row: far cheaper to
  // serialise and parse for both drivers (PGlite especially), same statement otherwise.
  await Promise.all(
    chunks(change.upserts, JSON_BATCH).map((batch) => {
      const rows = JSON.stringify(batch.map((object) => ({ href: object.key, etag: object.etag, data: object.data })));
      return tx.execute(sql`
        insert into calendar_objects (calendar_id, href, etag, data)
        select ${calendarId}::uuid, x.href, x.etag, x.data from json_to_recordset(${rows}::json) as x(href text, etag text, data text)
        on conflict (calendar_id, href) do update set etag = excluded.etag, data = excluded.data, updated_at = now()`);
    }),
  );
}

/** What expanding decided about the mirror: unreadable objects, and the state to resume from. */
async function writeMirrorState(tx: Tx, calendarId: string, change: CollectionChanges): Promise<void> {
  for (const hrefs of chunks(change.unreadable ?? [])) {
    await tx.update(calendarObjects).set({ etag: null }).where(and(eq(calendarObjects.calendarId, calendarId), inArray(calendarObjects.href, hrefs)));
  }
  await tx
    .update(integrationCalendars)
    .set({ ctag: change.state.ctag, syncToken: change.state.syncToken, updatedAt: new Date() })
    .where(eq(integrationCalendars.id, calendarId));
}

async function deleteEntries(tx: Tx, userId: string, plan: SyncPlan): Promise<void> {
  for (const links of chunks(plan.deletes)) {
    await tx.delete(eventLinks).where(inArray(eventLinks.id, links.map((link) => link.id)));
    const entryIds = links.flatMap((link) => (link.timeEntryId ? [link.timeEntryId] : []));
    if (entryIds.length > 0) await tx.delete(timeEntries).where(and(eq(timeEntries.userId, userId), inArray(timeEntries.id, entryIds)));
  }
}

async function detachConflicts(tx: Tx, plan: SyncPlan): Promise<void> {
  for (const conflicts of chunks(plan.conflictsKept)) {
    await tx
      .update(eventLinks)
      .set({ detached: true, updatedAt: new Date() })
      .where(inArray(eventLinks.id, conflicts.map(({ link }) => link.id)));
  }
}

/** One UPDATE … FROM (VALUES …) per batch for the entries, one for their links. */
async function updateEntries(tx: Tx, userId: string, updates: SyncPlan["updates"]): Promise<void> {
  for (const batch of chunks(updates)) {
    const entryRows = batch.map(({ link, desired }) => sql`(${link.timeEntryId}::uuid, ${desired.start.toISOString()}::timestamptz, ${desired.end.toISOString()}::timestamptz, ${desired.durationSeconds}::int, ${desired.notes}::text, ${desired.projectId}::uuid, ${desired.matchedBy}::project_match)`);
    await tx.execute(sql`
      update time_entries as t set start_time = v.start_time, end_time = v.end_time, duration_seconds = v.duration_seconds,
        notes = v.notes, project_id = v.project_id, matched_by = v.matched_by, updated_at = now()
      from (values ${sql.join(entryRows, sql`, `)}) as v(id, start_time, end_time, duration_seconds, notes, project_id, matched_by)
      where t.id = v.id and t.user_id = ${userId}::uuid`);
    await updateLinks(tx, batch.map(({ link, desired }) => ({ linkId: link.id, desired })));
  }
}

async function updateLinks(tx: Tx, rows: { linkId: string; desired: DesiredEntry }[]): Promise<void> {
  const values: SQL[] = rows.map(({ linkId, desired }) => sql`(${linkId}::uuid, ${desired.href}::text, ${desired.etag}::text, ${desired.contentHash}::text, ${desired.start.toISOString()}::timestamptz)`);
  await tx.execute(sql`
    update event_links as l set href = v.href, etag = v.etag, content_hash = v.content_hash, occurrence_start = v.occurrence_start, updated_at = now()
    from (values ${sql.join(values, sql`, `)}) as v(id, href, etag, content_hash, occurrence_start)
    where l.id = v.id`);
}

async function createEntries(tx: Tx, userId: string, creates: DesiredEntry[]): Promise<void> {
  const statements: Promise<unknown>[] = [];
  for (const batch of chunks(creates, JSON_BATCH)) {
    // Ids made here, so links can reference their entries without relying on RETURNING order.
    const ids = batch.map(() => randomUUID());
    const entries = JSON.stringify(
      batch.map((desired, i) => ({
        id: ids[i]!,
        project_id: desired.projectId,
        start_time: desired.start.toISOString(),
        end_time: desired.end.toISOString(),
        duration_seconds: desired.durationSeconds,
        notes: desired.notes,
        matched_by: desired.matchedBy,
      })),
    );
    statements.push(
      tx.execute(sql`
        insert into time_entries (id, user_id, project_id, start_time, end_time, duration_seconds, notes, source, matched_by)
        select x.id, ${userId}::uuid, x.project_id, x.start_time, x.end_time, x.duration_seconds, x.notes, 'auto', x.matched_by::project_match
        from json_to_recordset(${entries}::json)
          as x(id uuid, project_id uuid, start_time timestamptz, end_time timestamptz, duration_seconds integer, notes text, matched_by text)`),
    );
    const links = JSON.stringify(
      batch.map((desired, i) => ({
        calendar_id: desired.calendarId,
        href: desired.href,
        uid: desired.uid,
        recurrence_id: desired.recurrenceId,
        etag: desired.etag,
        content_hash: desired.contentHash,
        occurrence_start: desired.start.toISOString(),
        time_entry_id: ids[i]!,
      })),
    );
    // Sent after its entries on the same connection, so the foreign keys find them.
    statements.push(
      tx.execute(sql`
        insert into event_links (calendar_id, href, uid, recurrence_id, etag, content_hash, occurrence_start, time_entry_id)
        select x.calendar_id, x.href, x.uid, x.recurrence_id, x.etag, x.content_hash, x.occurrence_start, x.time_entry_id
        from json_to_recordset(${links}::json)
          as x(calendar_id uuid, href text, uid text, recurrence_id text, etag text, content_hash text, occurrence_start timestamptz, time_entry_id uuid)`),
    );
  }
  await Promise.all(statements);
}

function chunks<T>(items: readonly T[], size = BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
