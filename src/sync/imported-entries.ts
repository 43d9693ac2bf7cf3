/**
 * What a user can undo of their own changes to imported entries (docs/sync.md):
 *
 *   reset    an entry goes back to its calendar occurrence's version in every field, computed as a
 *            sync computes it (same expansion, project matching and defaults), forgets its edits
 *            and is re-attached to the occurrence.
 *   restore  the tombstones of deleted imported entries are cleared, so the next sync imports
 *            their occurrences again.
 */
import { and, eq, inArray, isNull } from "drizzle-orm";
import { expandCalendarObject, IcsParseError } from "../caldav/ical/index.js";
import type { Db } from "../db/client.js";
import { calendarObjects, eventLinks, integrationCalendars, integrations, timeEntries } from "../db/schema.js";
import { badInput, notFound } from "../errors.js";
import type { IntegrationService } from "../integrations/service.js";
import type { ProjectService } from "../projects/service.js";
import { UNEDITED } from "../time-entries/edits.js";
import { MAX_ENTRY_SECONDS } from "../time-entries/service.js";
import { syncWindow } from "../time-window.js";
import type { UserService } from "../users/service.js";
import { expandContext } from "./context.js";
import { buildDesiredEntries, type DesiredEntry } from "./desired.js";
import { syncMemos } from "./object-cache.js";

export interface ImportedEntryDeps {
  db: Db;
  integrations: IntegrationService;
  projects: ProjectService;
  users: UserService;
  clock?: () => Date;
}

export class ImportedEntryService {
  private readonly clock: () => Date;

  constructor(private readonly deps: ImportedEntryDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  /**
   * Puts the entry back to its calendar occurrence's version and re-attaches it. BAD_USER_INPUT
   * when there is no occurrence to go back to (a manual entry, an event removed from the calendar).
   */
  async reset(userId: string, entryId: string): Promise<void> {
    const { db } = this.deps;
    const [link] = await db
      .select({ id: eventLinks.id, calendarId: eventLinks.calendarId, href: eventLinks.href, uid: eventLinks.uid, recurrenceId: eventLinks.recurrenceId, occurrenceStart: eventLinks.occurrenceStart, integrationId: integrationCalendars.integrationId })
      .from(eventLinks)
      .innerJoin(integrationCalendars, eq(integrationCalendars.id, eventLinks.calendarId))
      .innerJoin(integrations, eq(integrations.id, integrationCalendars.integrationId))
      .where(and(eq(eventLinks.timeEntryId, entryId), eq(integrations.userId, userId)));
    if (!link) {
      const [entry] = await db.select({ id: timeEntries.id }).from(timeEntries).where(and(eq(timeEntries.userId, userId), eq(timeEntries.id, entryId)));
      if (!entry) throw notFound("Time entry");
      throw badInput("id", "This entry has no calendar occurrence to go back to: it was entered by hand, or its integration was deleted. Change it with updateTimeEntry instead.");
    }
    const desired = await this.calendarVersion(userId, link);
    if (!desired) {
      throw badInput("id", "This entry has no calendar occurrence to go back to: its event is no longer in the calendar (as of the last sync). Sync first if the event is back; else change or delete the entry.");
    }
    await db.transaction(async (tx) => {
      const [entry] = await tx
        .update(timeEntries)
        .set({
          startTime: desired.start,
          endTime: desired.end,
          durationSeconds: desired.durationSeconds,
          notes: desired.notes,
          projectId: desired.projectId,
          matchedBy: desired.matchedBy,
          ...UNEDITED,
          updatedAt: new Date(),
        })
        .where(and(eq(timeEntries.userId, userId), eq(timeEntries.id, entryId)))
        .returning({ id: timeEntries.id });
      if (!entry) throw notFound("Time entry");
      // The link names what the entry is now made from, so the next sync finds nothing to do.
      await tx
        .update(eventLinks)
        .set({ detached: false, contentHash: desired.contentHash, etag: desired.etag, occurrenceStart: desired.start, updatedAt: new Date() })
        .where(and(eq(eventLinks.id, link.id), eq(eventLinks.timeEntryId, entryId)));
    });
  }

  /**
   * Clears the tombstones of the integration's calendars (or of one of them) and answers how many.
   * Their calendars forget their sync state, so the next sync plans every key again, whichever
   * process runs it, and imports the occurrences those tombstones held back.
   */
  async restore(userId: string, integrationId: string, calendarId: string | null): Promise<number> {
    const { db } = this.deps;
    await this.deps.integrations.get(userId, integrationId);
    const calendars = await db
      .select({ id: integrationCalendars.id })
      .from(integrationCalendars)
      .where(and(eq(integrationCalendars.integrationId, integrationId), calendarId ? eq(integrationCalendars.id, calendarId) : undefined));
    if (calendarId && calendars.length === 0) throw notFound("Calendar");
    if (calendars.length === 0) return 0;
    const restored = await db.transaction(async (tx) => {
      const removed = await tx
        .delete(eventLinks)
        .where(and(inArray(eventLinks.calendarId, calendars.map((c) => c.id)), isNull(eventLinks.timeEntryId)))
        .returning({ calendarId: eventLinks.calendarId });
      const touched = [...new Set(removed.map((r) => r.calendarId))];
      if (touched.length > 0) await tx.update(integrationCalendars).set({ ctag: null, syncToken: null, updatedAt: new Date() }).where(inArray(integrationCalendars.id, touched));
      return removed.length;
    });
    if (restored > 0) syncMemos.delete(integrationId);
    return restored;
  }

  /** The occurrence the link names, as a sync would import it now; null when the mirror no longer holds it. */
  private async calendarVersion(userId: string, link: { calendarId: string; href: string; uid: string; recurrenceId: string | null; occurrenceStart: Date; integrationId: string }): Promise<DesiredEntry | null> {
    const { db } = this.deps;
    const integration = await this.deps.integrations.get(userId, link.integrationId);
    const [calendar] = await db.select().from(integrationCalendars).where(eq(integrationCalendars.id, link.calendarId));
    const [object] = await db
      .select({ etag: calendarObjects.etag, data: calendarObjects.data })
      .from(calendarObjects)
      .where(and(eq(calendarObjects.calendarId, link.calendarId), eq(calendarObjects.href, link.href)));
    if (!calendar || !object) return null;
    const context = await expandContext(integration, [calendar], this.deps.projects, this.deps.users);
    // The sync's window, widened to the occurrence wherever it was: an entry older than the
    // lookback can be reset too (a moved occurrence is found within an entry's longest span).
    const window = syncWindow(this.clock(), integration.lookbackDays, integration.lookaheadDays);
    const around = link.occurrenceStart.getTime();
    const windowStart = new Date(Math.min(window.start.getTime(), around - MAX_ENTRY_SECONDS * 1000));
    const windowEnd = new Date(Math.max(window.end.getTime(), around + MAX_ENTRY_SECONDS * 1000));
    let occurrences;
    try {
      occurrences = expandCalendarObject(object.data, { ...context.expandOptions, windowStart, windowEnd }).occurrences;
    } catch (error) {
      if (error instanceof IcsParseError) return null;
      throw error;
    }
    const source = { calendarId: link.calendarId, href: link.href, etag: object.etag, defaultProjectId: context.defaultProjectOf.get(link.calendarId) ?? null };
    const desired = buildDesiredEntries(source, occurrences.filter((o) => o.uid === link.uid && o.recurrenceId === link.recurrenceId), context.matcher);
    return desired[0] ?? null;
  }
}
