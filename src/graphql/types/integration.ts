import { Field, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { DateTime, UUID } from "../scalars.js";

export enum ConnectionErrorCode {
  AUTH_FAILED = "AUTH_FAILED",
  FORBIDDEN = "FORBIDDEN",
  NOT_FOUND = "NOT_FOUND",
  NOT_CALDAV = "NOT_CALDAV",
  NO_CALENDARS = "NO_CALENDARS",
  TLS_ERROR = "TLS_ERROR",
  TIMEOUT = "TIMEOUT",
  UNREACHABLE = "UNREACHABLE",
  SERVER_ERROR = "SERVER_ERROR",
  INVALID_RESPONSE = "INVALID_RESPONSE",
  BLOCKED_ADDRESS = "BLOCKED_ADDRESS",
  RESPONSE_TOO_LARGE = "RESPONSE_TOO_LARGE",
  INVALID_SYNC_TOKEN = "INVALID_SYNC_TOKEN",
}
registerEnumType(ConnectionErrorCode, {
  name: "ConnectionErrorCode",
  description: "Why a CalDAV server could not be used. docs/servers.md has what to do for each.",
});

export enum SyncStatus {
  RUNNING = "RUNNING",
  SUCCESS = "SUCCESS",
  PARTIAL = "PARTIAL",
  ERROR = "ERROR",
}
registerEnumType(SyncStatus, { name: "SyncStatus" });

export enum IntegrationStatus {
  ACTIVE = "ACTIVE",
  NEEDS_ATTENTION = "NEEDS_ATTENTION",
}
registerEnumType(IntegrationStatus, {
  name: "IntegrationStatus",
  description: "NEEDS_ATTENTION: scheduled syncs are paused (attention says why) until you reconfigure or resume the integration.",
});

@ObjectType("IntegrationCalendar", { simpleResolvers: true, description: "A calendar of the integration's account, and whether it is synced." })
export class IntegrationCalendarType {
  @Field(() => UUID)
  id!: string;

  @Field(() => String)
  url!: string;

  @Field(() => String, { nullable: true })
  displayName!: string | null;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => String, { nullable: true })
  color!: string | null;

  @Field(() => Boolean, { description: "The calendar can hold events (VEVENT)." })
  supportsEvents!: boolean;

  @Field(() => Boolean, { description: "Synced by syncNow and on schedule." })
  selected!: boolean;

  @Field(() => Boolean, { description: "Selected by the first sync, because none was: the first calendar that holds events." })
  autoSelected!: boolean;

  @Field(() => UUID, { nullable: true, description: "Overrides the integration's default project for this calendar's events." })
  defaultProjectId!: string | null;
}

export enum DroppedCalendarEntries {
  KEEP = "KEEP",
  REMOVE_UNEDITED = "REMOVE_UNEDITED",
}
registerEnumType(DroppedCalendarEntries, {
  name: "DroppedCalendarEntries",
  description:
    "What happens to the entries of calendars that stop being synced (unselected, or left behind by a new server or calendar URL). KEEP: they stay, and follow their events again if the calendar is selected again. REMOVE_UNEDITED: the entries you did not edit are deleted; edited ones stay, detached.",
});

@ObjectType("EntriesCleanup", { simpleResolvers: true, description: "Imported entries removed and kept by a clean-up." })
export class EntriesCleanupType {
  @Field(() => Int, { description: "Unedited entries deleted." })
  deleted!: number;

  @Field(() => Int, { description: "Entries left in place: the edited ones (detached), or all of them when the entries were kept." })
  kept!: number;
}

@ObjectType("CalDAVIntegration", { simpleResolvers: true })
export class CalDAVIntegrationType {
  @Field(() => UUID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true, description: "Where discovery starts." })
  serverUrl!: string | null;

  @Field(() => String, { nullable: true, description: "A calendar used directly, without discovery." })
  calendarUrl!: string | null;

  @Field(() => String)
  username!: string;

  @Field(() => Boolean, { description: "TLS certificates are verified. Off only for a self-signed server you trust." })
  verifySsl!: boolean;

  @Field(() => UUID, { nullable: true })
  defaultProjectId!: string | null;

  @Field(() => Int)
  lookbackDays!: number;

  @Field(() => Int)
  lookaheadDays!: number;

  @Field(() => String, { description: "IANA zone for floating times and all-day entries." })
  timezone!: string;

  @Field(() => Boolean, { description: "Import all-day events as entries (one per day) instead of skipping them." })
  importAllDay!: boolean;

  @Field(() => String, { description: 'Local start time of imported all-day entries, "HH:MM".' })
  allDayStart!: string;

  @Field(() => Int, { description: "Length of imported all-day entries, in hours." })
  allDayHours!: number;

  @Field(() => Boolean, { description: "Skip events shown as free (TRANSP:TRANSPARENT or X-MICROSOFT-CDO-BUSYSTATUS:FREE)." })
  skipFreeEvents!: boolean;

  @Field(() => [String], {
    description:
      "The addresses the server knows you by (your principal's calendar-user-address-set, RFC 6638), as last read by testConnection or a sync; empty when the server lists none. Invitations to any of them are yours.",
  })
  ownAddresses!: string[];

  @Field(() => [String], { description: 'Your further addresses ("mailto:…"), e.g. aliases the server does not list.' })
  extraAttendeeAddresses!: string[];

  @Field(() => Boolean, { description: "Skip invitations of others you answered tentatively or not yet (skipped as TENTATIVE)." })
  skipTentativeInvitations!: boolean;

  @Field(() => Boolean, { description: "Skip events another person organises where you are not an attendee (skipped as NOT_ATTENDING)." })
  skipEventsWithoutMe!: boolean;

  @Field(() => Int, { nullable: true, description: "Minutes between automatic syncs; null: manual only." })
  autoSyncIntervalMinutes!: number | null;

  @Field(() => DateTime, { nullable: true, description: "When the next scheduled sync is due; null without an interval or while paused." })
  nextSyncAt!: Date | null;

  @Field(() => IntegrationStatus)
  status!: IntegrationStatus;

  @Field(() => String, { nullable: true, description: "Why scheduled syncs are paused, and what to do." })
  attention!: string | null;

  @Field(() => DateTime, { nullable: true })
  lastSyncAt!: Date | null;

  @Field(() => SyncStatus, { nullable: true })
  lastSyncStatus!: SyncStatus | null;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field(() => EntriesCleanupType, { nullable: true, description: "What the last configure did to the entries of the calendars it stopped syncing; null when it stopped none." })
  lastCleanup!: EntriesCleanupType | null;

  @Field(() => DateTime)
  createdAt!: Date;

  @Field(() => DateTime)
  updatedAt!: Date;
}

@ObjectType("DiscoveredCalendar", { simpleResolvers: true })
export class DiscoveredCalendarType {
  @Field(() => String)
  url!: string;

  @Field(() => String, { nullable: true })
  displayName!: string | null;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => String, { nullable: true })
  color!: string | null;

  @Field(() => Boolean)
  supportsEvents!: boolean;
}

@ObjectType({ simpleResolvers: true, description: "One calendar of a connection test. Each selected calendar is asked for itself, as a sync asks for it." })
export class CalendarTestResult {
  @Field(() => UUID, { nullable: true, description: "The IntegrationCalendar; null for a calendar not remembered." })
  calendarId!: string | null;

  @Field(() => String)
  url!: string;

  @Field(() => String, { nullable: true })
  displayName!: string | null;

  @Field(() => Boolean, { description: "The calendar can hold events (VEVENT)." })
  supportsEvents!: boolean;

  @Field(() => Boolean, { description: "Synced by syncNow and on schedule." })
  selected!: boolean;

  @Field(() => Boolean, { description: "A sync can use it: a selected calendar answered as a calendar with events; an unselected one was listed." })
  ok!: boolean;

  @Field(() => ConnectionErrorCode, { nullable: true })
  code!: ConnectionErrorCode | null;

  @Field(() => String, { nullable: true, description: "Why it cannot be synced, naming its URL, and what to do." })
  message!: string | null;
}

@ObjectType({ simpleResolvers: true })
export class ConnectionTestResult {
  @Field(() => Boolean)
  success!: boolean;

  @Field(() => String, { description: "What happened, and on failure what to do." })
  message!: string;

  @Field(() => ConnectionErrorCode, { nullable: true })
  errorCode!: ConnectionErrorCode | null;

  @Field(() => [CalendarTestResult], { description: "The selected calendars, each tested, then the others the server lists." })
  calendars!: CalendarTestResult[];
}

@InputType()
export class CalendarSelectionInput {
  @Field(() => String)
  url!: string;

  @Field(() => Boolean)
  selected!: boolean;

  @Field(() => UUID, { nullable: true, description: "Omit to keep; null to use the integration's default project." })
  defaultProjectId?: string | null;
}

@InputType({ description: "Without id: create. With id: update; omitted fields (and an omitted password) keep their value." })
export class ConfigureCalDAVIntegrationInput {
  @Field(() => UUID, { nullable: true })
  id?: string | null;

  @Field(() => String, { nullable: true, description: 'Default "CalDAV".' })
  name?: string | null;

  @Field(() => String, { nullable: true, description: "A host, base URL, /.well-known/caldav or principal URL (discovery)." })
  serverUrl?: string | null;

  @Field(() => String, { nullable: true, description: "A calendar collection URL, used directly." })
  calendarUrl?: string | null;

  @Field(() => String, { nullable: true })
  username?: string | null;

  @Field(() => String, { nullable: true, description: "Write-only: stored encrypted, never returned." })
  password?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Default true." })
  verifySsl?: boolean | null;

  @Field(() => UUID, { nullable: true })
  defaultProjectId?: string | null;

  @Field(() => Int, { nullable: true, description: "1–3650, default 90." })
  lookbackDays?: number | null;

  @Field(() => Int, { nullable: true, description: "0–365, default 0." })
  lookaheadDays?: number | null;

  @Field(() => String, { nullable: true, description: "IANA zone; default the user's." })
  timezone?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Default false." })
  importAllDay?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Default "09:00".' })
  allDayStart?: string | null;

  @Field(() => Int, { nullable: true, description: "1–24, default 8." })
  allDayHours?: number | null;

  @Field(() => Boolean, { nullable: true, description: "Default false." })
  skipFreeEvents?: boolean | null;

  @Field(() => [String], { nullable: true, description: 'E-mail addresses, with or without "mailto:"; at most 20. Default none.' })
  extraAttendeeAddresses?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: "Default false." })
  skipTentativeInvitations?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: "Default false." })
  skipEventsWithoutMe?: boolean | null;

  @Field(() => Int, { nullable: true, description: "5–10080 minutes; null: manual sync only." })
  autoSyncIntervalMinutes?: number | null;

  @Field(() => [CalendarSelectionInput], { nullable: true })
  calendars?: CalendarSelectionInput[] | null;

  @Field(() => DroppedCalendarEntries, {
    nullable: true,
    defaultValue: DroppedCalendarEntries.KEEP,
    description: "What happens to the entries of calendars this change stops syncing (lastCleanup reports it).",
  })
  droppedCalendarEntries?: DroppedCalendarEntries | null;
}

@InputType({ description: "Either integrationId (stored settings) or serverUrl + username + password (a setup form)." })
export class DiscoverCalendarsInput {
  @Field(() => UUID, { nullable: true })
  integrationId?: string | null;

  @Field(() => String, { nullable: true })
  serverUrl?: string | null;

  @Field(() => String, { nullable: true })
  username?: string | null;

  @Field(() => String, { nullable: true })
  password?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Default true." })
  verifySsl?: boolean | null;
}
