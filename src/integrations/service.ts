import { randomUUID } from "node:crypto";
import { and, asc, eq, sql } from "drizzle-orm";
import {
  CalDAVError,
  calDAVErrorMessage,
  discoverCalendars,
  readOwnAddresses,
  testConnection as probeConnection,
  type CalDAVHttpClient,
  type CalDAVErrorCode,
  type DiscoveredCalendar,
} from "../caldav/index.js";
import type { Db } from "../db/client.js";
import { integrationCalendars, integrations, syncRuns, users } from "../db/schema.js";
import { AppError, badInput, notFound } from "../errors.js";
import type { Logger } from "../logger.js";
import type { ProjectService } from "../projects/service.js";
import { scheduleAfterUserChange } from "../scheduler/schedule-state.js";
import type { SyncRun } from "../sync/runs.js";
import { NAME_MAX_LENGTH, validateText, validateTimezone } from "../users/validation.js";
import type { CalDAVAccess, CalDAVCredentials } from "./caldav-access.js";
import type { CredentialCipher } from "./credentials.js";
import {
  ALL_DAY_HOURS,
  AUTO_SYNC_MINUTES,
  LOOKAHEAD_DAYS,
  LOOKBACK_DAYS,
  validateAttendeeAddresses,
  validateCalDAVUrl,
  validateRange,
  validateTimeOfDay,
} from "./validation.js";

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
}

export type DiscoverInput = { integrationId: string } | { serverUrl: string; username: string; password: string; verifySsl: boolean };

export interface ConnectionTestResult {
  success: boolean;
  message: string;
  errorCode: CalDAVErrorCode | null;
  calendars: DiscoveredCalendar[];
}

/** A CalDAV server could not be used; `errorCode` says why, the message what to do. */
export class ConnectionFailedError extends AppError {
  constructor(readonly errorCode: CalDAVErrorCode) {
    super("CONNECTION_FAILED", calDAVErrorMessage(errorCode), undefined, { errorCode });
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

  /** One sync run of one of the user's integrations, by its id alone (a client polling after syncNow). */
  async syncRun(userId: string, runId: string): Promise<SyncRun> {
    const [row] = await this.db
      .select({ run: syncRuns })
      .from(syncRuns)
      .innerJoin(integrations, eq(integrations.id, syncRuns.integrationId))
      .where(and(eq(integrations.userId, userId), eq(syncRuns.id, runId)));
    if (!row) throw notFound("Sync run");
    return row.run;
  }

  async calendars(userId: string, integrationId: string): Promise<IntegrationCalendar[]> {
    await this.get(userId, integrationId);
    return this.db
      .select()
      .from(integrationCalendars)
      .where(eq(integrationCalendars.integrationId, integrationId))
      .orderBy(asc(integrationCalendars.displayName), asc(integrationCalendars.url));
  }

  /** Creates (no id) or updates an integration and its calendar selection, all or nothing. */
  async configure(userId: string, input: ConfigureIntegrationInput): Promise<Integration> {
    const current = input.id ? await this.get(userId, input.id) : null;
    const { row: values, calendars } = await this.validate(userId, input, current);
    const id = current?.id ?? randomUUID();
    const passwordCiphertext = input.password != null ? this.cipher.encrypt(input.password, id) : current?.passwordCiphertext;
    if (!passwordCiphertext) throw badInput("password", "is required");

    return this.db.transaction(async (tx) => {
      const [changed] = current
        ? await tx
            .update(integrations)
            .set({ ...values, passwordCiphertext })
            .where(and(eq(integrations.userId, userId), eq(integrations.id, id)))
            .returning()
        : await tx
            .insert(integrations)
            .values({ ...values, id, userId, passwordCiphertext })
            .returning();
      const row = await scheduleAfterUserChange(tx, changed!, current, new Date());
      const selections = calendars;
      // A direct calendar URL is one selected calendar.
      if (values.calendarUrl && values.calendarUrl !== current?.calendarUrl && !selections.some((c) => c.url === values.calendarUrl)) {
        selections.push({ url: values.calendarUrl, selected: true });
      }
      for (const selection of selections) {
        await tx
          .insert(integrationCalendars)
          .values({ integrationId: id, url: selection.url, selected: selection.selected, defaultProjectId: selection.defaultProjectId ?? null })
          .onConflictDoUpdate({
            target: [integrationCalendars.integrationId, integrationCalendars.url],
            set: {
              selected: selection.selected,
              ...(selection.defaultProjectId !== undefined ? { defaultProjectId: selection.defaultProjectId } : {}),
              updatedAt: new Date(),
            },
          });
      }
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

  /** Deletes the integration and its calendars; the time entries it imported stay. */
  async delete(userId: string, id: string): Promise<void> {
    const deleted = await this.db
      .delete(integrations)
      .where(and(eq(integrations.userId, userId), eq(integrations.id, id)))
      .returning({ id: integrations.id });
    if (deleted.length === 0) throw notFound("Integration");
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
   * Connects with the stored settings and lists the calendars. Never throws for a server
   * problem: the result says what failed and what to do. Newly seen calendars are remembered
   * (unselected); known ones get their current name and colour.
   */
  async testConnection(userId: string, id: string): Promise<ConnectionTestResult> {
    const integration = await this.get(userId, id);
    const client = this.caldav.connect(this.credentialsOf(integration));
    try {
      const { calendars } = await probeConnection(client, { serverUrl: integration.serverUrl, calendarUrl: integration.calendarUrl });
      await this.rememberCalendars(id, calendars);
      await this.refreshOwnAddresses(client, integration);
      const usable = calendars.filter((c) => c.supportsEvents).length;
      return {
        success: true,
        errorCode: null,
        message: `Connected as ${integration.username}: ${usable} calendar${usable === 1 ? "" : "s"} with events found.`,
        calendars,
      };
    } catch (error) {
      const failure = this.connectionFailure(error, { userId, url: integration.serverUrl ?? integration.calendarUrl, task: "testConnection" });
      return { success: false, errorCode: failure.errorCode, message: failure.message, calendars: [] };
    } finally {
      await client.close();
    }
  }

  credentialsOf(integration: Integration): CalDAVCredentials {
    return {
      username: integration.username,
      password: this.cipher.decrypt(integration.passwordCiphertext, integration.id),
      verifyTls: integration.verifySsl,
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


  private connectionFailure(error: unknown, context: { userId: string; url: string | null; task: string }): ConnectionFailedError {
    if (!(error instanceof CalDAVError)) throw error;
    // The error carries no credentials (src/caldav/errors.ts); log its code and detail only.
    this.log.info({ ...context, errorCode: error.code, status: error.status, detail: error.detail }, "CalDAV connection failed");
    return new ConnectionFailedError(error.code);
  }

  private async validate(userId: string, input: ConfigureIntegrationInput, current: Integration | null) {
    const pick = <K extends keyof Integration>(key: K, given: Integration[K] | null | undefined, fallback: Integration[K]): Integration[K] =>
      given !== undefined && given !== null ? given : current ? current[key] : fallback;
    const nullable = <K extends "serverUrl" | "calendarUrl" | "defaultProjectId" | "autoSyncIntervalMinutes">(key: K, given: Integration[K] | undefined) =>
      given !== undefined ? given : (current?.[key] ?? null);

    const serverUrl = nullable("serverUrl", input.serverUrl != null ? validateCalDAVUrl("serverUrl", input.serverUrl) : input.serverUrl);
    const calendarUrl = nullable("calendarUrl", input.calendarUrl != null ? validateCalDAVUrl("calendarUrl", input.calendarUrl) : input.calendarUrl);
    if (!serverUrl && !calendarUrl) throw badInput("serverUrl", "give a server URL (for discovery) or a calendar URL, or both");

    const username = input.username != null ? validateText("username", input.username, NAME_MAX_LENGTH) : current?.username;
    if (!username) throw badInput("username", "is required");
    if (input.password != null && input.password.length === 0) throw badInput("password", "must not be empty");
    if (input.password != null && input.password.length > 1024) throw badInput("password", "must be at most 1024 characters");

    const defaultProjectId = nullable("defaultProjectId", input.defaultProjectId);
    if (defaultProjectId && defaultProjectId !== current?.defaultProjectId) {
      await this.projects.requireAssignable(userId, defaultProjectId, "defaultProjectId");
    }
    const calendars: CalendarSelectionInput[] = [];
    for (const [i, calendar] of (input.calendars ?? []).entries()) {
      if (calendar.defaultProjectId) await this.projects.requireAssignable(userId, calendar.defaultProjectId, `calendars[${i}].defaultProjectId`);
      calendars.push({ ...calendar, url: validateCalDAVUrl(`calendars[${i}].url`, calendar.url) });
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
