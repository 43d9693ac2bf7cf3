import { and, count, desc, eq, gte, inArray, lt, or, type SQL } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { eventLinks, integrationCalendars, timeEntries } from "../db/schema.js";
import { badInput, notFound } from "../errors.js";
import type { ProjectService } from "../projects/service.js";
import { refuseNul } from "../users/validation.js";
import { decodeCursor, encodeCursor } from "./cursor.js";

export type TimeEntry = typeof timeEntries.$inferSelect;
export type TimeEntrySource = TimeEntry["source"];

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
  /** The entry was edited and its event changed since: syncs no longer touch it. */
  detached: boolean;
}

export interface TimeEntryFilter {
  from?: Date | null;
  to?: Date | null;
  projectId?: string | null;
  source?: TimeEntrySource | null;
}

export interface TimeEntryPage {
  entries: TimeEntry[];
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
  constructor(
    private readonly db: Db,
    private readonly projects: ProjectService,
  ) {}

  async list(userId: string, filter: TimeEntryFilter, first = DEFAULT_PAGE_SIZE, after?: string | null): Promise<TimeEntryPage> {
    if (first < 1 || first > MAX_PAGE_SIZE) throw badInput("first", `must be from 1 to ${MAX_PAGE_SIZE}`);
    const where = this.filterCondition(userId, filter);
    const cursor = after ? decodeCursor(after) : null;
    const rows = await this.db
      .select()
      .from(timeEntries)
      .where(
        and(
          where,
          cursor
            ? or(lt(timeEntries.startTime, cursor.startTime), and(eq(timeEntries.startTime, cursor.startTime), lt(timeEntries.id, cursor.id)))
            : undefined,
        ),
      )
      .orderBy(desc(timeEntries.startTime), desc(timeEntries.id))
      .limit(first + 1);
    const entries = rows.slice(0, first);
    return {
      entries,
      cursors: entries.map((e) => encodeCursor({ startTime: e.startTime, id: e.id })),
      hasNextPage: rows.length > first,
      // Counting is a second scan: only when the client asks for totalCount.
      totalCount: async () => (await this.db.select({ n: count() }).from(timeEntries).where(where))[0]?.n ?? 0,
    };
  }

  async get(userId: string, id: string): Promise<TimeEntry> {
    const [entry] = await this.db
      .select()
      .from(timeEntries)
      .where(and(eq(timeEntries.userId, userId), eq(timeEntries.id, id)));
    if (!entry) throw notFound("Time entry");
    return entry;
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
    return entry!;
  }

  async update(userId: string, id: string, input: UpdateTimeEntryInput): Promise<TimeEntry> {
    const current = await this.get(userId, id);
    const startTime = input.startTime ?? current.startTime;
    const endTime = input.endTime ?? current.endTime;
    const changes: Partial<TimeEntry> = {
      startTime,
      endTime,
      durationSeconds: validateInterval(startTime, endTime),
      updatedAt: new Date(),
    };
    if (input.notes != null) changes.notes = validateNotes(input.notes);
    // From now on the user's version wins over the calendar's (docs/sync.md).
    if (current.source === "auto") changes.editedAfterImport = true;
    if (input.projectId !== undefined) {
      if (input.projectId !== null && input.projectId !== current.projectId) {
        await this.projects.requireAssignable(userId, input.projectId, "projectId");
      }
      changes.projectId = input.projectId;
    }
    const [entry] = await this.db
      .update(timeEntries)
      .set(changes)
      .where(and(eq(timeEntries.userId, userId), eq(timeEntries.id, id)))
      .returning();
    if (!entry) throw notFound("Time entry");
    return entry;
  }

  async delete(userId: string, id: string): Promise<void> {
    const deleted = await this.db
      .delete(timeEntries)
      .where(and(eq(timeEntries.userId, userId), eq(timeEntries.id, id)))
      .returning({ id: timeEntries.id });
    if (deleted.length === 0) throw notFound("Time entry");
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
    if (filter.from && filter.to && filter.to <= filter.from) throw badInput("filter.to", "must be after filter.from");
    return and(
      eq(timeEntries.userId, userId),
      filter.from ? gte(timeEntries.startTime, filter.from) : undefined,
      filter.to ? lt(timeEntries.startTime, filter.to) : undefined,
      filter.projectId ? eq(timeEntries.projectId, filter.projectId) : undefined,
      filter.source ? eq(timeEntries.source, filter.source) : undefined,
    )!;
  }
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
