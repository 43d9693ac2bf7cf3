import { and, count, desc, eq, gte, inArray, isNotNull, lt, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { eventLinks, integrationCalendars, timeEntries, type EntriesCleanup } from "../db/schema.js";
import { badInput, notFound } from "../errors.js";
import type { ProjectService } from "../projects/service.js";
import { refuseNul } from "../users/validation.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { editedFields, entryUnedited, type EditFlags, type TimeEntryField } from "./edits.js";
import { timeTotals, type TimeTotal, type TotalsQuery } from "./totals.js";

type TimeEntryRow = typeof timeEntries.$inferSelect;
/** An entry as stored, with what the user edited of it spelled out. */
export type TimeEntry = TimeEntryRow & {
  editedFields: TimeEntryField[];
  /** Any field edited: the one flag of earlier versions of the API. */
  editedAfterImport: boolean;
};
export type TimeEntrySource = TimeEntry["source"];

/** What a list of entries usually shows: an entry without its import and audit details. */
const SUMMARY_COLUMNS = {
  id: timeEntries.id,
  projectId: timeEntries.projectId,
  startTime: timeEntries.startTime,
  endTime: timeEntries.endTime,
  durationSeconds: timeEntries.durationSeconds,
  notes: timeEntries.notes,
  source: timeEntries.source,
};
export type TimeEntrySummary = Pick<TimeEntry, keyof typeof SUMMARY_COLUMNS>;
export const SUMMARY_FIELDS: ReadonlySet<string> = new Set(Object.keys(SUMMARY_COLUMNS));

export const NOTES_MAX_LENGTH = 10_000;
/** Longer than this is almost certainly a typo in a date, not a working session. */
export const MAX_ENTRY_SECONDS = 31 * 24 * 3600;
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/** The calendar occurrence an imported entry came from. */
export interface ExternalEvent {
  uid: string;
  recurrenceId: string | null;
  calendarUrl: string;
  href: string;
  /** The entry had fields you edited when its event went away: syncs no longer touch it. */
  detached: boolean;
}

export interface TimeEntryFilter {
  from?: Date | null;
  to?: Date | null;
  projectId?: string | null;
  source?: TimeEntrySource | null;
  /** Entries imported from this integration's calendars (detached ones included). */
  integrationId?: string | null;
  /** Entries imported from this calendar (detached ones included). */
  calendarId?: string | null;
}

export interface TimeEntryPage<E extends TimeEntrySummary = TimeEntry> {
  entries: E[];
  cursors: string[];
  hasNextPage: boolean;
  totalCount: () => Promise<number>;
}

export interface CreateTimeEntryInput {
  startTime: Date;
  endTime: Date;
  projectId?: string | null;
  notes?: string | null;
}

export interface UpdateTimeEntryInput {
  startTime?: Date | null;
  endTime?: Date | null;
  /** null clears the project; undefined leaves it. */
  projectId?: string | null;
  notes?: string | null;
}

export class TimeEntryService {
  private readonly fullPages: PageQueries<TimeEntry>;
  private readonly summaryPages: PageQueries<TimeEntrySummary>;

  constructor(
    private readonly db: Db,
    private readonly projects: ProjectService,
  ) {
    this.fullPages = new PageQueries((shape, where) => {
      const query = db.select().from(timeEntries).where(where).orderBy(desc(timeEntries.startTime), desc(timeEntries.id)).limit(sql.placeholder("limit")).prepare(`time_entries_page_${shape}`);
      return { execute: async (values) => (await query.execute(values)).map(withEdits) };
    });
    this.summaryPages = new PageQueries((shape, where) => {
      const query = db
        .select(SUMMARY_COLUMNS)
        .from(timeEntries)
        .where(where)
        .orderBy(desc(timeEntries.startTime), desc(timeEntries.id))
        .limit(sql.placeholder("limit"))
        .toSQL();
      // Rows come as arrays of driver values in SUMMARY_COLUMNS order: drizzle's generic row
      // mapping cost as much as decoding the rows.
      return db._.session.prepareQuery<{ execute: TimeEntrySummary[]; all: unknown; values: unknown }>(
        query,
        undefined,
        `time_entries_summaries_${shape}`,
        false,
        (rows) => rows.map(toSummary),
      );
    });
  }

  list(userId: string, filter: TimeEntryFilter, first = DEFAULT_PAGE_SIZE, after?: string | null): Promise<TimeEntryPage> {
    return this.page(this.fullPages, userId, filter, first, after);
  }

  /** Like list, reading only the summary columns (SUMMARY_FIELDS): half the data to decode. */
  listSummaries(userId: string, filter: TimeEntryFilter, first = DEFAULT_PAGE_SIZE, after?: string | null): Promise<TimeEntryPage<TimeEntrySummary>> {
    return this.page(this.summaryPages, userId, filter, first, after);
  }

  private async page<E extends TimeEntrySummary>(
    queries: PageQueries<E>,
    userId: string,
    filter: TimeEntryFilter,
    first: number,
    after: string | null | undefined,
  ): Promise<TimeEntryPage<E>> {
    if (first < 1 || first > MAX_PAGE_SIZE) throw badInput("first", `must be from 1 to ${MAX_PAGE_SIZE}`);
    validateFilter(filter);
    const cursor = after ? decodeCursor(after) : null;
    const rows = await queries.get(filter, cursor !== null).execute({
      userId,
      from: filter.from?.toISOString(),
      to: filter.to?.toISOString(),
      projectId: filter.projectId,
      source: filter.source,
      integrationId: filter.integrationId,
      calendarId: filter.calendarId,
      cursorStart: cursor?.startTime.toISOString(),
      cursorId: cursor?.id,
      limit: first + 1,
    });
    const hasNextPage = rows.length > first;
    if (hasNextPage) rows.pop();
    return {
      entries: rows,
      cursors: rows.map((e) => encodeCursor({ startTime: e.startTime, id: e.id })),
      hasNextPage,
      // Counting is a second scan: only when the client asks for totalCount.
      totalCount: async () => (await this.db.select({ n: count() }).from(timeEntries).where(this.filterCondition(userId, filter)))[0]?.n ?? 0,
    };
  }

  async get(userId: string, id: string): Promise<TimeEntry> {
    const [entry] = await this.db
      .select()
      .from(timeEntries)
      .where(and(eq(timeEntries.userId, userId), eq(timeEntries.id, id)));
    if (!entry) throw notFound("Time entry");
    return withEdits(entry);
  }

  async create(userId: string, input: CreateTimeEntryInput): Promise<TimeEntry> {
    const durationSeconds = validateInterval(input.startTime, input.endTime);
    const notes = validateNotes(input.notes ?? "");
    if (input.projectId) await this.projects.requireAssignable(userId, input.projectId, "projectId");
    const [entry] = await this.db
      .insert(timeEntries)
      .values({
        userId,
        projectId: input.projectId ?? null,
        startTime: input.startTime,
        endTime: input.endTime,
        durationSeconds,
        notes,
        source: "manual",
      })
      .returning();
    return withEdits(entry!);
  }

  /**
   * Changes the given fields. On an imported entry, each field whose value changes is marked
   * edited (docs/sync.md): syncs never overwrite it again, and keep the others following the
   * calendar. The row is locked while it is compared, so a sync writing it meanwhile is neither
   * overwritten with what the client read before nor taken for the user's edit.
   */
  async update(userId: string, id: string, input: UpdateTimeEntryInput): Promise<TimeEntry> {
    const before = await this.get(userId, id);
    if (input.notes != null) validateNotes(input.notes);
    if (input.projectId != null && input.projectId !== before.projectId) {
      await this.projects.requireAssignable(userId, input.projectId, "projectId");
    }
    return this.db.transaction(async (tx) => {
      const [current] = await tx
        .select()
        .from(timeEntries)
        .where(and(eq(timeEntries.userId, userId), eq(timeEntries.id, id)))
        .for("update");
      if (!current) throw notFound("Time entry");
      const startTime = input.startTime ?? current.startTime;
      const endTime = input.endTime ?? current.endTime;
      const changes: Partial<TimeEntryRow> = { startTime, endTime, durationSeconds: validateInterval(startTime, endTime), updatedAt: new Date() };
      if (input.notes != null) changes.notes = input.notes;
      if (input.projectId !== undefined) changes.projectId = input.projectId;
      if (current.source === "auto") Object.assign(changes, editsOf(current, changes));
      const [entry] = await tx
        .update(timeEntries)
        .set(changes)
        .where(and(eq(timeEntries.userId, userId), eq(timeEntries.id, id)))
        .returning();
      return withEdits(entry!);
    });
  }

  async delete(userId: string, id: string): Promise<void> {
    const deleted = await this.db
      .delete(timeEntries)
      .where(and(eq(timeEntries.userId, userId), eq(timeEntries.id, id)))
      .returning({ id: timeEntries.id });
    if (deleted.length === 0) throw notFound("Time entry");
  }

  /**
   * Deletes every entry matching the filter and answers how many. Imported ones leave tombstones,
   * as with delete: they are not imported again (restoreImportedEntries brings them back).
   */
  async deleteMatching(userId: string, filter: TimeEntryFilter): Promise<number> {
    const given = Object.values(filter).some((value) => value != null);
    if (!given) throw badInput("filter", "Say which entries to delete: give the filter a period, project, source, integration or calendar (a period covering everything deletes everything).");
    const deleted = await this.db.delete(timeEntries).where(this.filterCondition(userId, filter)).returning({ id: timeEntries.id });
    return deleted.length;
  }

  /** Sums of durations per day, week, month or project, computed in the database (./totals.ts). */
  totals(userId: string, query: TotalsQuery): Promise<TimeTotal[]> {
    return timeTotals(this.db, userId, query);
  }

  /** The source occurrences of imported entries, for the caller's entries only. */
  async externalEvents(userId: string, entryIds: string[]): Promise<Map<string, ExternalEvent>> {
    if (entryIds.length === 0) return new Map();
    const rows = await this.db
      .select({
        entryId: eventLinks.timeEntryId,
        uid: eventLinks.uid,
        recurrenceId: eventLinks.recurrenceId,
        href: eventLinks.href,
        detached: eventLinks.detached,
        calendarUrl: integrationCalendars.url,
      })
      .from(eventLinks)
      .innerJoin(timeEntries, eq(timeEntries.id, eventLinks.timeEntryId))
      .innerJoin(integrationCalendars, eq(integrationCalendars.id, eventLinks.calendarId))
      .where(and(eq(timeEntries.userId, userId), inArray(eventLinks.timeEntryId, entryIds)));
    return new Map(rows.map(({ entryId, ...event }) => [entryId!, event]));
  }

  private filterCondition(userId: string, filter: TimeEntryFilter): SQL {
    validateFilter(filter);
    return and(
      eq(timeEntries.userId, userId),
      filter.from ? gte(timeEntries.startTime, filter.from) : undefined,
      filter.to ? lt(timeEntries.startTime, filter.to) : undefined,
      filter.projectId ? eq(timeEntries.projectId, filter.projectId) : undefined,
      filter.source ? eq(timeEntries.source, filter.source) : undefined,
      filter.integrationId ? importedFromIntegration(filter.integrationId) : undefined,
      filter.calendarId ? importedFromCalendar(filter.calendarId) : undefined,
    )!;
  }
}

function withEdits(row: TimeEntryRow): TimeEntry {
  const fields = editedFields(row);
  return { ...row, editedFields: fields, editedAfterImport: fields.length > 0 };
}

/**
 * The entries imported from these calendars, when the calendars stop being synced. Keeping: all
 * stay, counted as kept. Removing: the unedited ones go with their links (no tombstone, so the
 * calendar imports them afresh if it is synced again); the edited ones stay, detached.
 */
export async function cleanUpImportedEntries(db: Db, userId: string, calendarIds: readonly string[], remove: boolean): Promise<EntriesCleanup> {
  if (calendarIds.length === 0) return { deleted: 0, kept: 0 };
  const ofCalendars = and(inArray(eventLinks.calendarId, [...calendarIds]), isNotNull(eventLinks.timeEntryId));
  const [linked] = await db
    .select({ total: count() })
    .from(eventLinks)
    .innerJoin(timeEntries, eq(timeEntries.id, eventLinks.timeEntryId))
    .where(and(ofCalendars, eq(timeEntries.userId, userId)));
  const total = linked?.total ?? 0;
  if (!remove || total === 0) return { deleted: 0, kept: total };
  const removable = db.select({ id: timeEntries.id }).from(timeEntries).where(and(eq(timeEntries.userId, userId), entryUnedited()));
  const unlinked = await db
    .delete(eventLinks)
    .where(and(ofCalendars, inArray(eventLinks.timeEntryId, removable)))
    .returning({ entryId: eventLinks.timeEntryId });
  const ids = unlinked.flatMap((link) => (link.entryId ? [link.entryId] : []));
  for (let i = 0; i < ids.length; i += 1000) {
    await db.delete(timeEntries).where(and(eq(timeEntries.userId, userId), inArray(timeEntries.id, ids.slice(i, i + 1000))));
  }
  await db.update(eventLinks).set({ detached: true, updatedAt: new Date() }).where(ofCalendars);
  return { deleted: ids.length, kept: total - ids.length };
}

function toSummary(row: unknown[]): TimeEntrySummary {
  return {
    id: row[0] as string,
    projectId: row[1] as string | null,
    startTime: toDate(row[2]),
    endTime: toDate(row[3]),
    durationSeconds: row[4] as number,
    notes: row[5] as string,
    source: row[6] as TimeEntrySource,
  };
}

/** As drizzle decodes a timestamptz: both drivers hand it over as text (its parsers are set so). */
function toDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(value as string);
}

interface PageQuery<E> {
  execute(values: Record<string, unknown>): Promise<E[]>;
}

/**
 * The page query of one column set for each combination of filters, built and prepared once (it
 * is on the hot path). Placeholders stand for every value; timestamps go as ISO strings, since the
 * drivers take no Date there.
 */
class PageQueries<E> {
  private readonly byShape = new Map<string, PageQuery<E>>();

  constructor(private readonly prepare: (shape: string, where: SQL | undefined) => PageQuery<E>) {}

  get(filter: TimeEntryFilter, withCursor: boolean): PageQuery<E> {
    const shape = [filter.from, filter.to, filter.projectId, filter.source, filter.integrationId, filter.calendarId, withCursor].map((v) => (v ? "1" : "0")).join("");
    let query = this.byShape.get(shape);
    if (!query) {
      const cursorStart = sql`${sql.placeholder("cursorStart")}::timestamptz`;
      query = this.prepare(
        shape,
        and(
          eq(timeEntries.userId, sql.placeholder("userId")),
          filter.from ? gte(timeEntries.startTime, sql`${sql.placeholder("from")}::timestamptz`) : undefined,
          filter.to ? lt(timeEntries.startTime, sql`${sql.placeholder("to")}::timestamptz`) : undefined,
          filter.projectId ? eq(timeEntries.projectId, sql.placeholder("projectId")) : undefined,
          filter.source ? eq(timeEntries.source, sql.placeholder("source")) : undefined,
          filter.integrationId ? importedFromIntegration(sql.placeholder("integrationId")) : undefined,
          filter.calendarId ? importedFromCalendar(sql.placeholder("calendarId")) : undefined,
          withCursor
            ? or(lt(timeEntries.startTime, cursorStart), and(eq(timeEntries.startTime, cursorStart), lt(timeEntries.id, sql.placeholder("cursorId"))))
            : undefined,
        ),
      );
      this.byShape.set(shape, query);
    }
    return query;
  }
}

/** The entry came from a calendar of this integration (its link, attached or detached). */
function importedFromIntegration(integrationId: unknown): SQL {
  return sql`exists (select 1 from ${eventLinks} join ${integrationCalendars} on ${integrationCalendars.id} = ${eventLinks.calendarId}
    where ${eventLinks.timeEntryId} = ${timeEntries.id} and ${integrationCalendars.integrationId} = ${integrationId})`;
}

/** The entry came from this calendar (its link, attached or detached). */
function importedFromCalendar(calendarId: unknown): SQL {
  return sql`exists (select 1 from ${eventLinks} where ${eventLinks.timeEntryId} = ${timeEntries.id} and ${eventLinks.calendarId} = ${calendarId})`;
}

/** The edit flags an update sets: those of the fields whose value it changes (never unset: see reset). */
function editsOf(current: TimeEntryRow, changes: Partial<TimeEntryRow>): Partial<EditFlags> {
  const edits: Partial<EditFlags> = {};
  if (changes.projectId !== undefined && changes.projectId !== current.projectId) edits.projectEdited = true;
  if (changes.notes !== undefined && changes.notes !== current.notes) edits.notesEdited = true;
  if (changes.startTime!.getTime() !== current.startTime.getTime() || changes.endTime!.getTime() !== current.endTime.getTime()) edits.timesEdited = true;
  return edits;
}

/** What the database and ISO 8601 without extended years both hold: the years 1 to 9999. */
const FIRST_INSTANT = Date.parse("0001-01-01T00:00:00Z");
const LAST_INSTANT = Date.parse("9999-12-31T23:59:59.999Z");

function validateFilter(filter: TimeEntryFilter): void {
  for (const [field, instant] of [["filter.from", filter.from], ["filter.to", filter.to]] as const) {
    if (instant && (instant.getTime() < FIRST_INSTANT || instant.getTime() > LAST_INSTANT)) throw badInput(field, `Give ${field} as an instant in the years 1 to 9999.`);
  }
  if (filter.from && filter.to && filter.to <= filter.from) throw badInput("filter.to", "must be after filter.from");
}

function validateInterval(start: Date, end: Date): number {
  const seconds = Math.round((end.getTime() - start.getTime()) / 1000);
  if (seconds <= 0) throw badInput("endTime", "must be after startTime");
  if (seconds > MAX_ENTRY_SECONDS) throw badInput("endTime", "an entry may last at most 31 days");
  return seconds;
}

function validateNotes(notes: string): string {
  refuseNul("notes", notes);
  if (notes.length > NOTES_MAX_LENGTH) throw badInput("notes", `must be at most ${NOTES_MAX_LENGTH} characters`);
  return notes;
}
