import { randomUUID } from "node:crypto";
import { and, asc, eq, inArray, ne, notExists, sql } from "drizzle-orm";
import {
  CalDAVError,
  describeCalendar,
  discoverCalendars,
  errorMessageOf,
  readOwnAddresses,
  sameCalendarUrl,
  type CalDAVErrorCode,
  type CalDAVHttpClient,
  type DiscoveredCalendar,
} from "../caldav/index.js";
import type { Db } from "../db/client.js";
import { calendarObjects, eventLinks, integrationCalendars, integrations, users, type EntriesCleanup } from "../db/schema.js";
import { AppError, badInput, notFound } from "../errors.js";
import type { Logger } from "../logger.js";
import type { ProjectService } from "../projects/service.js";
import { scheduleAfterUserChange } from "../scheduler/schedule-state.js";
import { cleanUpImportedEntries } from "../time-entries/service.js";
import { NAME_MAX_LENGTH, validateText, validateTimezone } from "../users/validation.js";
import type { CalDAVAccess, CalDAVCredentials } from "./caldav-access.js";
import type { CredentialCipher } from "./credentials.js";
import { planSelection } from "./selection.js";
import { ALL_DAY_HOURS, AUTO_SYNC_MINUTES, LOOKAHEAD_DAYS, LOOKBACK_DAYS, validateAttendeeAddresses, validateCalDAVUrl, validateCalendarUrl, validateRange, validateTimeOfDay } from "./validation.js";

export type Integration = typeof integrations.$inferSelect;
export type IntegrationCalendar = typeof integrationCalendars.$inferSelect;

export interface CalendarSelectionInput {
  url: string;
  selected: boolean;
  /** undefined keeps, null clears the calendar's own default project. */
  defaultProjectId?: string | null;
}

/** For every optional field: undefined keeps the stored value (or the default on create). */
export interface ConfigureIntegrationInput {
  id?: string | null;
  name?: string | null;
  serverUrl?: string | null;
  calendarUrl?: string | null;
  username?: string | null;
  password?: string | null;
  verifySsl?: boolean | null;
  defaultProjectId?: string | null;
  lookbackDays?: number | null;
  lookaheadDays?: number | null;
  timezone?: string | null;
  importAllDay?: boolean | null;
  allDayStart?: string | null;
  allDayHours?: number | null;
  skipFreeEvents?: boolean | null;
  extraAttendeeAddresses?: string[] | null;
  skipTentativeInvitations?: boolean | null;
  skipEventsWithoutMe?: boolean | null;
  autoSyncIntervalMinutes?: number | null;
  calendars?: CalendarSelectionInput[] | null;
  /** What happens to the entries of calendars that stop being synced; default KEEP. */
  droppedCalendarEntries?: DroppedCalendarEntries | null;
}

/** KEEP: the entries stay (and follow their events again if the calendar is selected again); REMOVE_UNEDITED: the unedited ones go. */
export type DroppedCalendarEntries = "KEEP" | "REMOVE_UNEDITED";

export type DiscoverInput = { integrationId: string } | { serverUrl: string; username: string; password: string; verifySsl: boolean };

export interface ConnectionTestResult {
  success: boolean;
  message: string;
  errorCode: CalDAVErrorCode | null;
  calendars: CalendarTestResult[];
}

/** One calendar of a connection test: a selected one was asked for itself, as a sync would. */
export interface CalendarTestResult {
  calendarId: string | null;
  url: string;
  displayName: string | null;
  supportsEvents: boolean;
  selected: boolean;
  ok: boolean;
  code: CalDAVErrorCode | null;
  message: string | null;
}

/** A CalDAV server could not be used; `errorCode` says why, the message what to do and which URL it is about. */
export class ConnectionFailedError extends AppError {
  readonly errorCode: CalDAVErrorCode;
  constructor(error: CalDAVError, url: string) {
    super("CONNECTION_FAILED", `${errorMessageOf(error)} (${url})`, undefined, { errorCode: error.code });
    this.errorCode = error.code;
  }
}

export class IntegrationService {
  constructor(
    private readonly db: Db,
    private readonly projects: ProjectService,
    private readonly cipher: CredentialCipher,
    private readonly caldav: CalDAVAccess,
    private readonly log: Logger,
  ) {}

  list(userId: string): Promise<Integration[]> {
    return this.db.select().from(integrations).where(eq(integrations.userId, userId)).orderBy(asc(integrations.createdAt), asc(integrations.id));
  }

  async get(userId: string, id: string): Promise<Integration> {
    const [row] = await this.db.select().from(integrations).where(and(eq(integrations.userId, userId), eq(integrations.id, id)));
    if (!row) throw notFound("Integration");
    return row;
  }

  async calendars(userId: string, integrationId: string): Promise<IntegrationCalendar[]> {
    await this.get(userId, integrationId);
    return this.db
      .select()
      .from(integrationCalendars)
      .where(eq(integrationCalendars.integrationId, integrationId))
      .orderBy(asc(integrationCalendars.displayName), asc(integrationCalendars.url));
  }

  /**
   * Creates (no id) or updates an integration and its calendar selection, all or nothing. A new
   * server or calendar URL is a switch: the calendars of the old location stop being synced
   * (docs/servers.md), and `droppedCalendarEntries` says what happens to their entries.
   */
  async configure(userId: string, input: ConfigureIntegrationInput): Promise<Integration> {
    const current = input.id ? await this.get(userId, input.id) : null;
    const { row: values, calendars } = await this.validate(userId, input, current);
    const id = current?.id ?? randomUUID();
    const passwordCiphertext = input.password != null ? this.cipher.encrypt(input.password, id) : current?.passwordCiphertext;
    if (!passwordCiphertext) throw badInput("password", "is required");
    const known = current ? await this.calendarRows(id) : [];
    const selection = planSelection(current, values, known, calendars);
    this.refuseCalendarsWithoutEvents(known, selection.upserts);
    await this.refuseCalendarsSyncedElsewhere(userId, id, selection.upserts.filter((c) => c.selected).map((c) => c.url));
    const removeUnedited = input.droppedCalendarEntries === "REMOVE_UNEDITED";

    return this.db.transaction(async (tx) => {
      const droppedIds = selection.dropped.map((c) => c.id);
      const lastCleanup = droppedIds.length > 0 ? await cleanUpImportedEntries(tx, userId, droppedIds, removeUnedited) : null;
      if (droppedIds.length > 0 && removeUnedited) await forgetSyncState(tx, droppedIds);
      const [changed] = current
        ? await tx
            .update(integrations)
            .set({ ...values, passwordCiphertext, lastCleanup })
            .where(and(eq(integrations.userId, userId), eq(integrations.id, id)))
            .returning()
        : await tx
            .insert(integrations)
            .values({ ...values, id, userId, passwordCiphertext })
            .returning();
      const row = await scheduleAfterUserChange(tx, changed!, current, new Date());
      if (droppedIds.length > 0) {
        await tx.update(integrationCalendars).set({ selected: false, autoSelected: false, updatedAt: new Date() }).where(inArray(integrationCalendars.id, droppedIds));
      }
      for (const calendar of selection.upserts) {
        await tx
          .insert(integrationCalendars)
          .values({ integrationId: id, url: calendar.url, selected: calendar.selected, defaultProjectId: calendar.defaultProjectId ?? null })
          .onConflictDoUpdate({
            target: [integrationCalendars.integrationId, integrationCalendars.url],
            set: {
              selected: calendar.selected,
              autoSelected: false,
              ...(calendar.defaultProjectId !== undefined ? { defaultProjectId: calendar.defaultProjectId } : {}),
              updatedAt: new Date(),
            },
          });
      }
      if (selection.locationChanged) await forgetUnusedCalendars(tx, id);
      return row;
    });
  }

  /** Ends a NEEDS_ATTENTION pause: scheduled syncs start again, the first one right away. */
  async resume(userId: string, id: string): Promise<Integration> {
    const current = await this.get(userId, id);
    return scheduleAfterUserChange(this.db, current, current, new Date());
  }

  /**
   * The user's integrations on `timezone` — those that followed the user's zone — moved to `moveTo`
   * when given (a user changing their own zone).
   */
  async onTimezone(userId: string, timezone: string, moveTo?: string): Promise<Integration[]> {
    const following = and(eq(integrations.userId, userId), eq(integrations.timezone, timezone));
    return moveTo
      ? this.db.update(integrations).set({ timezone: moveTo, updatedAt: new Date() }).where(following).returning()
      : this.db.select().from(integrations).where(following).orderBy(asc(integrations.createdAt), asc(integrations.id));
  }

  /**
   * Deletes the integration and its calendars. The entries it imported stay, detached; with
   * `deleteEntries`, the unedited ones are deleted too.
   */
  async delete(userId: string, id: string, deleteEntries: boolean): Promise<EntriesCleanup> {
    await this.get(userId, id);
    return this.db.transaction(async (tx) => {
      const calendarIds = (await tx.select({ id: integrationCalendars.id }).from(integrationCalendars).where(eq(integrationCalendars.integrationId, id))).map((c) => c.id);
      const cleanup = await cleanUpImportedEntries(tx, userId, calendarIds, deleteEntries);
      const deleted = await tx
        .delete(integrations)
        .where(and(eq(integrations.userId, userId), eq(integrations.id, id)))
        .returning({ id: integrations.id });
      if (deleted.length === 0) throw notFound("Integration");
      return cleanup;
    });
  }

  /** Lists the calendars of an account, with stored or with typed-in credentials; writes nothing. */
  async discover(userId: string, input: DiscoverInput): Promise<DiscoveredCalendar[]> {
    let url: string;
    let credentials: CalDAVCredentials;
    if ("integrationId" in input) {
      const integration = await this.get(userId, input.integrationId);
      url = integration.serverUrl ?? integration.calendarUrl!;
      credentials = this.credentialsOf(integration);
    } else {
      url = validateCalDAVUrl("serverUrl", input.serverUrl);
      credentials = {
        username: validateText("username", input.username, NAME_MAX_LENGTH),
        password: input.password,
        verifyTls: input.verifySsl,
        configuredUrls: [url],
      };
    }
    const client = this.caldav.connect(credentials);
    try {
      return await discoverCalendars(client, url);
    } catch (error) {
      throw this.connectionFailure(error, { userId, url, task: "discover" });
    } finally {
      await client.close();
    }
  }

  /**
   * Tests what a sync will use: discovery from the server URL, then every selected calendar, one
   * by one. Never throws for a server problem: the result says what failed, for which URL, and
   * what to do. Newly seen calendars are remembered (unselected); known ones get their current
   * name and colour.
   */
  async testConnection(userId: string, id: string): Promise<ConnectionTestResult> {
    const integration = await this.get(userId, id);
    const client = this.caldav.connect(this.credentialsOf(integration));
    try {
      let discovered: DiscoveredCalendar[] = [];
      if (integration.serverUrl) {
        try {
          discovered = await discoverCalendars(client, integration.serverUrl);
        } catch (error) {
          const failure = this.connectionFailure(error, { userId, url: integration.serverUrl, task: "testConnection" });
          return { success: false, errorCode: failure.errorCode, message: failure.message, calendars: [] };
        }
        await this.rememberCalendars(id, discovered);
      }
      const known = await this.calendarRows(id);
      const selected = known.filter((c) => c.selected);
      const results: CalendarTestResult[] = [];
      for (const calendar of selected) results.push(await this.testCalendar(client, userId, calendar));
      // Only of a server that answered: a failing one is not asked more than the test needs.
      if (integration.serverUrl || results.some((r) => r.ok)) await this.refreshOwnAddresses(client, integration);
      for (const calendar of discovered) {
        if (selected.some((c) => sameCalendarUrl(c.url, calendar.url))) continue;
        const row = known.find((c) => c.url === calendar.url);
        const { url, displayName, supportsEvents } = calendar;
        results.push({ calendarId: row?.id ?? null, url, displayName, supportsEvents, selected: false, ok: true, code: null, message: null });
      }
      return { ...this.testSummary(integration, results), calendars: results };
    } finally {
      await client.close();
    }
  }

  /** One selected calendar, asked for itself as a sync asks for it. */
  private async testCalendar(client: CalDAVHttpClient, userId: string, calendar: IntegrationCalendar): Promise<CalendarTestResult> {
    const base = { calendarId: calendar.id, url: calendar.url, selected: true };
    try {
      const found = await describeCalendar(client, calendar.url);
      await this.rememberCalendars(calendar.integrationId, [{ ...found, url: calendar.url }]);
      const { displayName, supportsEvents } = found;
      const message = supportsEvents ? null : `The calendar ${calendar.url} holds no events (it is a task list, say). Unselect it with configureCalDAVIntegration.`;
      return { ...base, displayName, supportsEvents, ok: supportsEvents, code: supportsEvents ? null : "NO_CALENDARS", message };
    } catch (error) {
      const failure = this.connectionFailure(error, { userId, url: calendar.url, task: "testConnection" });
      return { ...base, displayName: calendar.displayName, supportsEvents: calendar.supportsEvents, ok: false, code: failure.errorCode, message: failure.message };
    }
  }

  private testSummary(integration: Integration, results: readonly CalendarTestResult[]): Omit<ConnectionTestResult, "calendars"> {
    const selected = results.filter((c) => c.selected);
    const failed = selected.filter((c) => !c.ok);
    if (failed.length > 0) {
      const intro = `${failed.length} of ${plural(selected.length, "selected calendar")} cannot be synced.`;
      return { success: false, errorCode: failed[0]!.code, message: [intro, ...failed.map((c) => c.message)].join(" ") };
    }
    if (selected.length > 0) {
      return { success: true, errorCode: null, message: `Connected as ${integration.username}: ${plural(selected.length, "selected calendar")} ready to sync.` };
    }
    const usable = results.filter((c) => c.supportsEvents).length;
    if (usable === 0) {
      return { success: false, errorCode: "NO_CALENDARS", message: `${errorMessageOf(new CalDAVError("NO_CALENDARS"))} (${integration.serverUrl ?? integration.calendarUrl})` };
    }
    return {
      success: true,
      errorCode: null,
      message: `Connected as ${integration.username}: ${plural(usable, "calendar")} with events found. None is selected: the first sync selects the first one holding events, or choose with configureCalDAVIntegration.`,
    };
  }

  /** The URLs of the calendars the user's other integrations sync: one calendar is synced by one integration. */
  async calendarsSyncedElsewhere(userId: string, integrationId: string): Promise<{ url: string; integrationId: string; name: string }[]> {
    return this.db
      .select({ url: integrationCalendars.url, integrationId: integrations.id, name: integrations.name })
      .from(integrationCalendars)
      .innerJoin(integrations, eq(integrations.id, integrationCalendars.integrationId))
      .where(and(eq(integrations.userId, userId), ne(integrations.id, integrationId), eq(integrationCalendars.selected, true)));
  }

  private async refuseCalendarsSyncedElsewhere(userId: string, integrationId: string, urls: readonly string[]): Promise<void> {
    if (urls.length === 0) return;
    const elsewhere = await this.calendarsSyncedElsewhere(userId, integrationId);
    for (const url of urls) {
      const other = elsewhere.find((c) => sameCalendarUrl(c.url, url));
      if (other) {
        throw new AppError(
          "CONFLICT",
          `The calendar ${url} is already synced by your integration "${other.name}", so its events would be counted twice. Unselect it there first, or keep it in that integration.`,
          undefined,
          { integrationId: other.integrationId },
        );
      }
    }
  }

  /** A calendar known to hold no events (a task list) cannot be selected. */
  private refuseCalendarsWithoutEvents(known: readonly IntegrationCalendar[], upserts: readonly { url: string; selected: boolean; field: string }[]): void {
    for (const upsert of upserts) {
      const row = known.find((c) => c.url === upsert.url);
      if (upsert.selected && row && !row.supportsEvents) {
        throw badInput(upsert.field, `The calendar ${upsert.url} holds no events (it is a task list, say), so it cannot be selected. Choose a calendar with events.`);
      }
    }
  }

  private calendarRows(integrationId: string): Promise<IntegrationCalendar[]> {
    return this.db.select().from(integrationCalendars).where(eq(integrationCalendars.integrationId, integrationId)).orderBy(asc(integrationCalendars.createdAt), asc(integrationCalendars.id));
  }

  credentialsOf(integration: Integration): CalDAVCredentials {
    return {
      username: integration.username,
      password: this.cipher.decrypt(integration.passwordCiphertext, integration.id),
      verifyTls: integration.verifySsl,
      configuredUrls: [integration.serverUrl, integration.calendarUrl].filter((url) => url !== null),
    };
  }

  /**
   * Reads and stores the addresses the server knows the user by (see readOwnAddresses). A server
   * that does not answer keeps the stored ones, and the next sync or test asks again.
   */
  async refreshOwnAddresses(client: CalDAVHttpClient, integration: Integration): Promise<string[] | null> {
    let ownAddresses: string[];
    try {
      ownAddresses = await readOwnAddresses(client, integration.serverUrl ?? integration.calendarUrl!);
    } catch (error) {
      if (!(error instanceof CalDAVError)) throw error;
      this.log.info({ integrationId: integration.id, errorCode: error.code, status: error.status }, "the principal's addresses could not be read");
      return integration.ownAddresses;
    }
    // Only while the integration still points where the addresses were read (a concurrent reconfiguration wins).
    const unchanged = and(
      eq(integrations.userId, integration.userId),
      eq(integrations.id, integration.id),
      eq(integrations.username, integration.username),
      sql`${integrations.serverUrl} is not distinct from ${integration.serverUrl}`,
      sql`${integrations.calendarUrl} is not distinct from ${integration.calendarUrl}`,
    );
    await this.db.update(integrations).set({ ownAddresses }).where(unchanged);
    return ownAddresses;
  }

  async rememberCalendars(integrationId: string, calendars: DiscoveredCalendar[]): Promise<void> {
    if (calendars.length === 0) return;
    await this.db
      .insert(integrationCalendars)
      .values(
        calendars.map((c) => ({ integrationId, url: c.url, displayName: c.displayName, description: c.description, color: c.color, supportsEvents: c.supportsEvents })),
      )
      .onConflictDoUpdate({
        target: [integrationCalendars.integrationId, integrationCalendars.url],
        set: {
          displayName: sql`excluded.display_name`,
          description: sql`excluded.description`,
          color: sql`excluded.color`,
          supportsEvents: sql`excluded.supports_events`,
          updatedAt: sql`now()`,
        },
      });
  }


  private connectionFailure(error: unknown, context: { userId: string; url: string; task: string }): ConnectionFailedError {
    if (!(error instanceof CalDAVError)) throw error;
    // The error carries no credentials (src/caldav/errors.ts); log its code and detail only.
    this.log.info({ ...context, errorCode: error.code, status: error.status, detail: error.detail }, "CalDAV connection failed");
    return new ConnectionFailedError(error, error.url ?? context.url);
  }

  private async validate(userId: string, input: ConfigureIntegrationInput, current: Integration | null) {
    const pick = <K extends keyof Integration>(key: K, given: Integration[K] | null | undefined, fallback: Integration[K]): Integration[K] =>
      given !== undefined && given !== null ? given : current ? current[key] : fallback;
    const nullable = <K extends "serverUrl" | "calendarUrl" | "defaultProjectId" | "autoSyncIntervalMinutes">(key: K, given: Integration[K] | undefined) =>
      given !== undefined ? given : (current?.[key] ?? null);

    const serverUrl = nullable("serverUrl", input.serverUrl != null ? validateCalDAVUrl("serverUrl", input.serverUrl) : input.serverUrl);
    const calendarUrl = nullable("calendarUrl", input.calendarUrl != null ? validateCalendarUrl("calendarUrl", input.calendarUrl) : input.calendarUrl);
    if (!serverUrl && !calendarUrl) throw badInput("serverUrl", "give a server URL (for discovery) or a calendar URL, or both");

    const username = input.username != null ? validateText("username", input.username, NAME_MAX_LENGTH) : current?.username;
    if (!username) throw badInput("username", "is required");
    if (input.password != null && input.password.length === 0) throw badInput("password", "must not be empty");
    if (input.password != null && input.password.length > 1024) throw badInput("password", "must be at most 1024 characters");

    const defaultProjectId = nullable("defaultProjectId", input.defaultProjectId);
    if (defaultProjectId && defaultProjectId !== current?.defaultProjectId) {
      await this.projects.requireAssignable(userId, defaultProjectId, "defaultProjectId");
    }
    const calendars: (CalendarSelectionInput & { field: string })[] = [];
    for (const [i, calendar] of (input.calendars ?? []).entries()) {
      if (calendar.defaultProjectId) await this.projects.requireAssignable(userId, calendar.defaultProjectId, `calendars[${i}].defaultProjectId`);
      calendars.push({ ...calendar, url: validateCalendarUrl(`calendars[${i}].url`, calendar.url), field: `calendars[${i}].selected` });
    }
    const autoSync = nullable("autoSyncIntervalMinutes", input.autoSyncIntervalMinutes);

    const row = {
      name: validateText("name", pick("name", input.name, "CalDAV"), NAME_MAX_LENGTH),
      serverUrl,
      calendarUrl,
      username,
      verifySsl: pick("verifySsl", input.verifySsl, true),
      defaultProjectId,
      lookbackDays: validateRange("lookbackDays", pick("lookbackDays", input.lookbackDays, LOOKBACK_DAYS.default), LOOKBACK_DAYS),
      lookaheadDays: validateRange("lookaheadDays", pick("lookaheadDays", input.lookaheadDays, LOOKAHEAD_DAYS.default), LOOKAHEAD_DAYS),
      timezone: validateTimezone("timezone", pick("timezone", input.timezone, await this.userTimezone(userId))),
      importAllDay: pick("importAllDay", input.importAllDay, false),
      allDayStart: validateTimeOfDay("allDayStart", pick("allDayStart", input.allDayStart, "09:00")),
      allDayHours: validateRange("allDayHours", pick("allDayHours", input.allDayHours, 8), ALL_DAY_HOURS),
      skipFreeEvents: pick("skipFreeEvents", input.skipFreeEvents, false),
      extraAttendeeAddresses: validateAttendeeAddresses("extraAttendeeAddresses", pick("extraAttendeeAddresses", input.extraAttendeeAddresses, [])),
      skipTentativeInvitations: pick("skipTentativeInvitations", input.skipTentativeInvitations, false),
      skipEventsWithoutMe: pick("skipEventsWithoutMe", input.skipEventsWithoutMe, false),
      // Another account or server may know the user by other addresses: read them again.
      ...(current && (serverUrl !== current.serverUrl || calendarUrl !== current.calendarUrl || username !== current.username) ? { ownAddresses: null } : {}),
      autoSyncIntervalMinutes: autoSync === null ? null : validateRange("autoSyncIntervalMinutes", autoSync, AUTO_SYNC_MINUTES),
    };
    return { row, calendars };
  }

  private async userTimezone(userId: string): Promise<string> {
    const [row] = await this.db.select({ timezone: users.timezone }).from(users).where(eq(users.id, userId));
    return row?.timezone ?? "UTC";
  }
}

/**
 * After a switch of location: the calendars listed by the old location that are not synced and
 * hold no links are forgotten (those with links stay, so selecting one again picks up its entries).
 */
async function forgetUnusedCalendars(db: Db, integrationId: string): Promise<void> {
  await db
    .delete(integrationCalendars)
    .where(
      and(
        eq(integrationCalendars.integrationId, integrationId),
        eq(integrationCalendars.selected, false),
        notExists(db.select({ id: eventLinks.id }).from(eventLinks).where(eq(eventLinks.calendarId, integrationCalendars.id))),
      ),
    );
}

/**
 * Calendars whose entries were removed download everything again when selected again: without
 * their mirror and sync state, the next sync sees every event as new and imports it afresh.
 */
async function forgetSyncState(db: Db, calendarIds: string[]): Promise<void> {
  await db.delete(calendarObjects).where(inArray(calendarObjects.calendarId, calendarIds));
  await db.update(integrationCalendars).set({ ctag: null, syncToken: null }).where(inArray(integrationCalendars.id, calendarIds));
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
