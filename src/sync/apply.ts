/**
 * Writes a finished plan, after all the thinking (download, expansion, planning) is done and no
 * transaction was open for it. Two rules make this safe while other requests go on:
 *
 *   Bounded transactions. The writes go in transactions of at most MAX_ROWS_PER_TRANSACTION rows.
 *   On the embedded database one transaction blocks every other query, so a large import must not
 *   be one transaction; on PostgreSQL it keeps row locks short. The calendars' sync state is
 *   written last: a crash between two transactions leaves the old state, so the next sync
 *   downloads the same changes and plans again against what was written — the links already
 *   written are the progress (same hash: NOTHING), and nothing is created twice.
 *
 *   Re-checked assumptions. The plan was made on a snapshot; the user may have edited or deleted
 *   an entry since. Every update and delete first claims its rows (SELECT … FOR UPDATE, which on
 *   PostgreSQL waits for a concurrent edit and then re-reads the row): only a link that still has
 *   the content hash the plan saw, is not detached, and whose entry is still the one planned is
 *   written — and deleted only while no field of the entry is edited. An update writes each field
 *   only while the entry's row, as it is then, does not mark it edited. Any other row is left
 *   alone and counted as a conflict kept: the user's edit wins, never the sync. Relinks and
 *   detachments re-check the hash too.
 *
 * Creates need no claim: one sync per integration runs at a time (./runs.ts), and the unique key
 * of event_links is the last line of defence against a duplicate.
 */
import { randomUUID } from "node:crypto";
import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { CollectionState } from "../caldav/index.js";
import type { Db } from "../db/client.js";
import { calendarObjects, eventLinks, integrationCalendars, timeEntries } from "../db/schema.js";
import { entryUnedited } from "../time-entries/edits.js";
import type { FetchedObject } from "./collection-sync.js";
import type { DesiredEntry } from "./desired.js";
import type { ExistingLink, SyncPlan } from "./plan.js";

/**
 * Rows written per transaction. On PGlite ≈ 50–150 ms of exclusive use of the database: the
 * longest a concurrent request waits for a sync's writes (bench: "longest concurrent wait").
 */
export const MAX_ROWS_PER_TRANSACTION = 2000;
/** Rows per statement with one bind parameter per value. */
const BATCH = 500;

/** What to store of one calendar's download: written with the plan, its state last of all. */
export interface MirrorChange {
  calendarId: string;
  upserts: FetchedObject[];
  deletions: string[];
  /** Objects we could not read: kept without etag, so the next listing downloads them again. */
  unreadable: string[];
  state: CollectionState;
}

/** What was written; a planned update or delete whose assumption no longer held is `stale`. */
export interface AppliedPlan {
  created: number;
  updated: number;
  relinked: number;
  deleted: number;
  conflictsKept: number;
  /** Links of updates and deletes left alone because the entry or link changed since the plan read it. */
  staleLinks: ExistingLink[];
}

export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** A piece of the writes: `rows` rows written by `run`, in order with the others. */
interface Step {
  rows: number;
  run(tx: Tx): Promise<void>;
}

export async function applyPlan(db: Db, userId: string, plan: SyncPlan, mirror: MirrorChange[], maxRows = MAX_ROWS_PER_TRANSACTION): Promise<AppliedPlan> {
  const applied: AppliedPlan = { created: 0, updated: 0, relinked: 0, deleted: 0, conflictsKept: 0, staleLinks: [] };
  const size = Math.min(BATCH, maxRows);
  const steps: Step[] = [];
  const add = <T>(items: readonly T[], batchSize: number, run: (tx: Tx, batch: T[]) => Promise<void>) => {
    for (const batch of chunks(items, batchSize)) steps.push({ rows: batch.length, run: (tx) => run(tx, batch) });
  };
  for (const change of mirror) {
    add(change.deletions, size, (tx, hrefs) => deleteMirrorObjects(tx, change.calendarId, hrefs));
    const unreadable = new Set(change.unreadable);
    add(change.upserts.filter((object) => !unreadable.has(object.key)), maxRows, (tx, objects) => upsertMirrorObjects(tx, change.calendarId, objects, "replace"));
    add(change.upserts.filter((object) => unreadable.has(object.key)), maxRows, (tx, objects) => upsertMirrorObjects(tx, change.calendarId, objects, "keep"));
  }
  add(plan.deletes, size, async (tx, links) => {
    const claimed = await claimLiveLinks(tx, userId, links, { unedited: true });
    await deleteLinkedEntries(tx, userId, [...claimed]);
    applied.deleted += claimed.size;
    applied.staleLinks.push(...links.filter((link) => !claimed.has(link)));
  });
  add(plan.conflictsKept, size, async (tx, conflicts) => {
    applied.conflictsKept += await detachLinks(tx, conflicts);
  });
  add(plan.relinks, size, async (tx, relinks) => {
    applied.relinked += await relink(tx, relinks);
  });
  add(plan.updates, size, async (tx, updates) => {
    const claimed = await claimLiveLinks(tx, userId, updates.map((u) => u.link), { unedited: false });
    const live = updates.filter((u) => claimed.has(u.link));
    await updateEntries(tx, userId, live);
    applied.updated += live.length;
    applied.staleLinks.push(...updates.filter((u) => !claimed.has(u.link)).map((u) => u.link));
  });
  add(plan.creates, maxRows, async (tx, creates) => {
    await createEntries(tx, userId, creates);
    applied.created += creates.length;
  });
  steps.push({ rows: 1, run: (tx) => writeMirrorStates(tx, mirror) });
  await inBoundedTransactions(db, steps, maxRows);
  return applied;
}

/** Runs the steps in order, as few transactions as keep each at most `maxRows` rows. */
async function inBoundedTransactions(db: Db, steps: readonly Step[], maxRows: number): Promise<void> {
  let group: Step[] = [];
  let rows = 0;
  const commit = async () => {
    const current = group;
    group = [];
    rows = 0;
    if (current.length > 0) await db.transaction(async (tx) => {
      for (const step of current) await step.run(tx);
    });
  };
  for (const step of steps) {
    if (rows + step.rows > maxRows) await commit();
    group.push(step);
    rows += step.rows;
  }
  await commit();
}

async function deleteMirrorObjects(tx: Tx, calendarId: string, hrefs: string[]): Promise<void> {
  await tx.delete(calendarObjects).where(and(eq(calendarObjects.calendarId, calendarId), inArray(calendarObjects.href, hrefs)));
}

/**
 * Stores downloaded objects. "keep": objects we could not read keep the data a sync last read
 * (it says which UIDs they hold: ./expand.ts, heldUids) and lose their etag, so the next listing
 * downloads them again; new ones are stored as they came.
 */
async function upsertMirrorObjects(tx: Tx, calendarId: string, objects: FetchedObject[], storedData: "replace" | "keep"): Promise<void> {
  // One JSON parameter per batch instead of four bind parameters per row: far cheaper to
  // serialise and parse for both drivers (PGlite especially), same statement otherwise.
  const rows = JSON.stringify(objects.map((object) => ({ href: object.key, etag: storedData === "keep" ? null : object.etag, data: object.data })));
  const onConflict = storedData === "keep" ? sql`etag = null, updated_at = now()` : sql`etag = excluded.etag, data = excluded.data, updated_at = now()`;
  await tx.execute(sql`
    insert into calendar_objects (calendar_id, href, etag, data)
    select ${calendarId}::uuid, x.href, x.etag, x.data from json_to_recordset(${rows}::json) as x(href text, etag text, data text)
    on conflict (calendar_id, href) do update set ${onConflict}`);
}

/** Last of all: unreadable objects lose their etag, and each calendar stores the state to resume from. */
async function writeMirrorStates(tx: Tx, mirror: readonly MirrorChange[]): Promise<void> {
  for (const change of mirror) {
    for (const hrefs of chunks(change.unreadable, BATCH)) {
      await tx.update(calendarObjects).set({ etag: null }).where(and(eq(calendarObjects.calendarId, change.calendarId), inArray(calendarObjects.href, hrefs)));
    }
    await tx
      .update(integrationCalendars)
      .set({ ctag: change.state.ctag, syncToken: change.state.syncToken, updatedAt: new Date() })
      .where(eq(integrationCalendars.id, change.calendarId));
  }
}

/**
 * Locks and returns the links whose rows are still as the plan saw them: same hash, not detached,
 * the same entry, of this user, and with `unedited` an entry without any edited field. FOR UPDATE
 * makes a concurrent edit of the entry wait for this transaction, or, when it committed first,
 * re-reads the row (and drops it when it no longer qualifies).
 */
async function claimLiveLinks(tx: Tx, userId: string, links: readonly ExistingLink[], { unedited }: { unedited: boolean }): Promise<Set<ExistingLink>> {
  if (links.length === 0) return new Set();
  const rows = await tx
    .select({ id: eventLinks.id, contentHash: eventLinks.contentHash, timeEntryId: eventLinks.timeEntryId })
    .from(eventLinks)
    .innerJoin(timeEntries, eq(timeEntries.id, eventLinks.timeEntryId))
    .where(
      and(
        inArray(eventLinks.id, links.map((link) => link.id)),
        eq(eventLinks.detached, false),
        eq(timeEntries.userId, userId),
        unedited ? entryUnedited() : undefined,
      ),
    )
    .for("update");
  const current = new Map(rows.map((row) => [row.id, row]));
  return new Set(
    links.filter((link) => {
      const row = current.get(link.id);
      return row !== undefined && row.contentHash === link.contentHash && row.timeEntryId === link.timeEntryId;
    }),
  );
}

async function deleteLinkedEntries(tx: Tx, userId: string, links: readonly ExistingLink[]): Promise<void> {
  if (links.length === 0) return;
  await tx.delete(eventLinks).where(inArray(eventLinks.id, links.map((link) => link.id)));
  const entryIds = links.flatMap((link) => (link.timeEntryId ? [link.timeEntryId] : []));
  if (entryIds.length > 0) await tx.delete(timeEntries).where(and(eq(timeEntries.userId, userId), inArray(timeEntries.id, entryIds)));
}

/** Detaches each link that still has the planned hash. */
async function detachLinks(tx: Tx, links: SyncPlan["conflictsKept"]): Promise<number> {
  const values = links.map((link) => sql`(${link.id}::uuid, ${link.contentHash}::text)`);
  return countOf(
    await tx.execute(sql`
      update event_links as l set detached = true, updated_at = now()
      from (values ${sql.join(values, sql`, `)}) as v(id, content_hash)
      where l.id = v.id and l.content_hash = v.content_hash and not l.detached
      returning l.id`),
  );
}

/** Moves each link that still has the planned hash to its object and key; the entry stays as it is. */
async function relink(tx: Tx, relinks: SyncPlan["relinks"]): Promise<number> {
  const values = relinks.map(({ link, desired }) => sql`(${link.id}::uuid, ${link.contentHash}::text, ${desired.href}::text, ${desired.etag}::text, ${desired.recurrenceId}::text, ${desired.start.toISOString()}::timestamptz)`);
  return countOf(
    await tx.execute(sql`
      update event_links as l set href = v.href, etag = v.etag, recurrence_id = v.recurrence_id, occurrence_start = v.occurrence_start, updated_at = now()
      from (values ${sql.join(values, sql`, `)}) as v(id, content_hash, href, etag, recurrence_id, occurrence_start)
      where l.id = v.id and l.content_hash = v.content_hash
      returning l.id`),
  );
}

/**
 * One UPDATE … FROM (VALUES …) for the entries, one for their links (claimed before). Each field
 * the entry's row marks as edited keeps the user's value: the flags are read by this statement,
 * on the row it locked, so an edit committed at any point before it is never overwritten.
 */
async function updateEntries(tx: Tx, userId: string, updates: SyncPlan["updates"]): Promise<void> {
  if (updates.length === 0) return;
  const entryRows = updates.map(({ link, desired }) => sql`(${link.timeEntryId}::uuid, ${desired.start.toISOString()}::timestamptz, ${desired.end.toISOString()}::timestamptz, ${desired.durationSeconds}::int, ${desired.notes}::text, ${desired.projectId}::uuid, ${desired.matchedBy}::project_match)`);
  await tx.execute(sql`
    update time_entries as t set
      start_time = case when t.times_edited then t.start_time else v.start_time end,
      end_time = case when t.times_edited then t.end_time else v.end_time end,
      duration_seconds = case when t.times_edited then t.duration_seconds else v.duration_seconds end,
      notes = case when t.notes_edited then t.notes else v.notes end,
      project_id = case when t.project_edited then t.project_id else v.project_id end,
      matched_by = case when t.project_edited then t.matched_by else v.matched_by end,
      updated_at = now()
    from (values ${sql.join(entryRows, sql`, `)}) as v(id, start_time, end_time, duration_seconds, notes, project_id, matched_by)
    where t.id = v.id and t.user_id = ${userId}::uuid`);
  const linkRows: SQL[] = updates.map(({ link, desired }) => sql`(${link.id}::uuid, ${desired.href}::text, ${desired.etag}::text, ${desired.recurrenceId}::text, ${desired.contentHash}::text, ${desired.start.toISOString()}::timestamptz)`);
  await tx.execute(sql`
    update event_links as l set href = v.href, etag = v.etag, recurrence_id = v.recurrence_id, content_hash = v.content_hash, occurrence_start = v.occurrence_start, updated_at = now()
    from (values ${sql.join(linkRows, sql`, `)}) as v(id, href, etag, recurrence_id, content_hash, occurrence_start)
    where l.id = v.id`);
}

async function createEntries(tx: Tx, userId: string, creates: readonly DesiredEntry[]): Promise<void> {
  if (creates.length === 0) return;
  // Ids made here, so links can reference their entries without relying on RETURNING order.
  const ids = creates.map(() => randomUUID());
  const entries = JSON.stringify(
    creates.map((desired, i) => ({
      id: ids[i]!,
      project_id: desired.projectId,
      start_time: desired.start.toISOString(),
      end_time: desired.end.toISOString(),
      duration_seconds: desired.durationSeconds,
      notes: desired.notes,
      matched_by: desired.matchedBy,
    })),
  );
  await tx.execute(sql`
    insert into time_entries (id, user_id, project_id, start_time, end_time, duration_seconds, notes, source, matched_by)
    select x.id, ${userId}::uuid, x.project_id, x.start_time, x.end_time, x.duration_seconds, x.notes, 'auto', x.matched_by::project_match
    from json_to_recordset(${entries}::json)
      as x(id uuid, project_id uuid, start_time timestamptz, end_time timestamptz, duration_seconds integer, notes text, matched_by text)`);
  const links = JSON.stringify(
    creates.map((desired, i) => ({
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
  await tx.execute(sql`
    insert into event_links (calendar_id, href, uid, recurrence_id, etag, content_hash, occurrence_start, time_entry_id)
    select x.calendar_id, x.href, x.uid, x.recurrence_id, x.etag, x.content_hash, x.occurrence_start, x.time_entry_id
    from json_to_recordset(${links}::json)
      as x(calendar_id uuid, href text, uid text, recurrence_id text, etag text, content_hash text, occurrence_start timestamptz, time_entry_id uuid)`);
}

/** Rows returned by an execute(), whichever driver: postgres.js answers an array, PGlite { rows }. */
function countOf(result: unknown): number {
  return Array.isArray(result) ? result.length : ((result as { rows?: unknown[] }).rows?.length ?? 0);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
