/**
 * The one Drizzle schema. Migrations in drizzle/ are generated from it (`npm run db:generate`)
 * and must run unchanged on PostgreSQL 15 (CI, production) and PGlite (PostgreSQL 18 inside).
 */
import { sql } from "drizzle-orm";
import {
  boolean,
  foreignKey,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();

export const users = pgTable("users", {
  id: uuid().primaryKey().defaultRandom(),
  /** Stored lower-cased, so the unique constraint is case-insensitive. */
  email: text().notNull().unique(),
  name: text(),
  timezone: text().notNull().default("UTC"),
  /** scrypt PHC string (src/auth/passwords.ts); null: the user signs in with API tokens only. */
  passwordHash: text(),
  isAdmin: boolean().notNull().default(false),
  /** Set when an admin disabled the user: every token and session of theirs stops working. */
  disabledAt: timestamp({ withTimezone: true }),
  createdAt: createdAt(),
});

/** Signed-in browser sessions (src/auth/sessions.ts); the cookie holds the secret, we its hash. */
export const sessions = pgTable(
  "sessions",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** SHA-256 of the cookie's 256-bit random secret. */
    tokenHash: text().notNull().unique(),
    /** The first characters of the secret, to tell sessions apart in a list. */
    prefix: text().notNull(),
    /** The browser's User-Agent at sign-in (shortened), to recognise a session. */
    userAgent: text(),
    createdAt: createdAt(),
    lastUsedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** Slides forward with use, never past createdAt + the absolute lifetime. */
    expiresAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [index().on(t.userId)],
);

export const apiTokens = pgTable(
  "api_tokens",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text().notNull(),
    /** The first characters of the secret, shown to tell tokens apart; not enough to guess it. */
    prefix: text().notNull(),
    /** SHA-256 of the whole token: tokens are 256-bit random, so a fast hash is enough. */
    tokenHash: text().notNull().unique(),
    createdAt: createdAt(),
    lastUsedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index().on(t.userId)],
);

export const projects = pgTable(
  "projects",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text().notNull(),
    archived: boolean().notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("projects_user_name_ci").on(t.userId, sql`lower(${t.name})`),
    // Target of the time_entries composite key: an entry's project is always its owner's.
    unique("projects_id_user").on(t.id, t.userId),
  ],
);

export const timeEntrySource = pgEnum("time_entry_source", ["manual", "auto"]);
export const projectMatch = pgEnum("project_match", ["TITLE", "CATEGORY", "DEFAULT", "NONE"]);

export const timeEntries = pgTable(
  "time_entries",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    projectId: uuid(),
    startTime: timestamp({ withTimezone: true }).notNull(),
    endTime: timestamp({ withTimezone: true }).notNull(),
    durationSeconds: integer().notNull(),
    notes: text().notNull().default(""),
    source: timeEntrySource().notNull().default("manual"),
    /** How an imported entry got its project. */
    matchedBy: projectMatch(),
    /**
     * Which fields of an imported entry the user changed (docs/sync.md): a sync never overwrites
     * them, and an entry with any of them is kept, detached, when its event goes away.
     */
    projectEdited: boolean().notNull().default(false),
    notesEdited: boolean().notNull().default(false),
    /** Start and end, which move together. */
    timesEdited: boolean().notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    foreignKey({ columns: [t.projectId, t.userId], foreignColumns: [projects.id, projects.userId] }),
    // timeEntries(...) pages newest first per user: (start_time desc, id desc) is the cursor order;
    // NULLS FIRST is what a plain DESC means, so the planner can walk this index.
    index("time_entries_user_start").on(t.userId, t.startTime.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index("time_entries_user_project").on(t.userId, t.projectId),
  ],
);

export const syncStatus = pgEnum("sync_status", ["RUNNING", "SUCCESS", "PARTIAL", "ERROR"]);

/** Imported entries removed (unedited) and kept (edited, or all when the user chose to keep them). */
export interface EntriesCleanup {
  deleted: number;
  kept: number;
}

/** A user's connection to one CalDAV account; it may sync several of the account's calendars. */
export const integrations = pgTable(
  "integrations",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text().notNull(),
    /** For discovery (RFC 6764): a host, base URL, well-known or principal URL. */
    serverUrl: text(),
    /** A calendar collection URL, used directly. At least one of the two is set. */
    calendarUrl: text(),
    username: text().notNull(),
    /** AES-256-GCM, see src/integrations/credentials.ts; never leaves the server. */
    passwordCiphertext: text().notNull(),
    verifySsl: boolean().notNull().default(true),
    defaultProjectId: uuid(),
    lookbackDays: integer().notNull().default(90),
    lookaheadDays: integer().notNull().default(0),
    /** IANA zone for floating times and all-day entries. */
    timezone: text().notNull(),
    importAllDay: boolean().notNull().default(false),
    /** Imported all-day events start at this local time ("HH:MM") and last allDayHours. */
    allDayStart: text().notNull().default("09:00"),
    allDayHours: integer().notNull().default(8),
    /** Skip events marked free (TRANSP:TRANSPARENT, X-MICROSOFT-CDO-BUSYSTATUS:FREE). */
    skipFreeEvents: boolean().notNull().default(false),
    /**
     * The principal's calendar-user-address-set (RFC 6638 §2.4.1) as last read; null until read
     * (the next sync reads it). Attendees with these addresses are the user.
     */
    ownAddresses: text().array(),
    /** Further addresses of the user ("mailto:…"), e.g. aliases the server does not list. */
    extraAttendeeAddresses: text().array().notNull().default([]),
    /** Skip invitations of others answered TENTATIVE or not yet (NEEDS-ACTION). */
    skipTentativeInvitations: boolean().notNull().default(false),
    /** Skip events another person organises where the user is not an attendee. */
    skipEventsWithoutMe: boolean().notNull().default(false),
    autoSyncIntervalMinutes: integer(),
    /**
     * When the scheduler syncs next (null: manual only). Claiming an integration moves it a lease
     * ahead, so other instances skip it until the claim is done or expired (src/scheduler/).
     */
    nextSyncAt: timestamp({ withTimezone: true }),
    /** Consecutive failed scheduled runs, for exponential backoff; AUTH_FAILED ones counted apart. */
    consecutiveFailures: integer().notNull().default(0),
    consecutiveAuthFailures: integer().notNull().default(0),
    /** Set when scheduled syncs stopped until the user reconfigures or resumes (NEEDS_ATTENTION). */
    pausedReason: text(),
    lastSyncAt: timestamp({ withTimezone: true }),
    lastSyncStatus: syncStatus(),
    lastError: text(),
    /** What the last configure did to the entries of calendars it stopped syncing; null: it stopped none. */
    lastCleanup: jsonb().$type<EntriesCleanup>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    foreignKey({ columns: [t.defaultProjectId, t.userId], foreignColumns: [projects.id, projects.userId] }),
    index().on(t.userId),
    // The scheduler's claim query walks due integrations in due order.
    index("integrations_due").on(t.nextSyncAt).where(sql`${t.nextSyncAt} is not null and ${t.pausedReason} is null`),
  ],
);

/** The calendars of an integration's account that we know of, and which of them are synced. */
export const integrationCalendars = pgTable(
  "integration_calendars",
  {
    id: uuid().primaryKey().defaultRandom(),
    integrationId: uuid()
      .notNull()
      .references(() => integrations.id, { onDelete: "cascade" }),
    url: text().notNull(),
    displayName: text(),
    description: text(),
    color: text(),
    supportsEvents: boolean().notNull().default(true),
    selected: boolean().notNull().default(false),
    /** Selected by the first sync, which picks the first calendar holding events when none was chosen. */
    autoSelected: boolean().notNull().default(false),
    /** Overrides the integration's default project for this calendar's events. */
    defaultProjectId: uuid().references(() => projects.id, { onDelete: "set null" }),
    /** Sync state (RFC 6578 sync-token, CalendarServer getctag) of the last successful sync. */
    ctag: text(),
    syncToken: text(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [unique("integration_calendars_url").on(t.integrationId, t.url)],
);

export const syncMode = pgEnum("sync_mode", ["INCREMENTAL", "FULL"]);
export const syncTrigger = pgEnum("sync_trigger", ["MANUAL", "SCHEDULED"]);

/**
 * Our copy of each synced calendar collection: one row per calendar object resource, with the
 * etag we last saw and its iCalendar data. Incremental syncs download only what changed and
 * expand occurrences from here.
 */
export const calendarObjects = pgTable(
  "calendar_objects",
  {
    id: uuid().primaryKey().defaultRandom(),
    calendarId: uuid()
      .notNull()
      .references(() => integrationCalendars.id, { onDelete: "cascade" }),
    /** As the server spelled it: the stable key of the resource. */
    href: text().notNull(),
    etag: text(),
    data: text().notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [unique("calendar_objects_href").on(t.calendarId, t.href)],
);

/**
 * Which occurrence (calendar, UID, RECURRENCE-ID) an imported time entry came from. The
 * integration is the calendar's: links go with their calendar, and every index and foreign key
 * here is paid for by each row an import writes.
 */
export const eventLinks = pgTable(
  "event_links",
  {
    id: uuid().primaryKey().defaultRandom(),
    calendarId: uuid()
      .notNull()
      .references(() => integrationCalendars.id, { onDelete: "cascade" }),
    href: text().notNull(),
    uid: text().notNull(),
    /** null for a single event; else the original start (src/caldav/ical: Occurrence.recurrenceId). */
    recurrenceId: text(),
    etag: text(),
    contentHash: text().notNull(),
    occurrenceStart: timestamp({ withTimezone: true }).notNull(),
    /** null when the user deleted the entry: a tombstone, so the sync never re-creates it. */
    timeEntryId: uuid().references(() => timeEntries.id, { onDelete: "set null" }),
    /** The user edited the entry and its event changed since: the two go separate ways. */
    detached: boolean().notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // The last line of defence against duplicates (UIDs are unique per calendar only: Zimbra, Cyrus).
    unique("event_links_occurrence").on(t.calendarId, t.uid, t.recurrenceId).nullsNotDistinct(),
    index("event_links_time_entry").on(t.timeEntryId),
    // An incremental sync reads only the links of the objects that changed (src/sync/engine.ts).
    index("event_links_object").on(t.calendarId, t.href),
  ],
);

/** One calendar's part of a sync run. */
export interface SyncRunCalendarRecord {
  url: string;
  name: string | null;
  status: "SUCCESS" | "PARTIAL" | "ERROR";
  /** How its changes were downloaded (UNCHANGED, SYNC_COLLECTION, ETAG_LISTING); null when the download failed. */
  download: string | null;
  /** Which planning strategy ran (UNCHANGED, FIRST_IMPORT, SCOPED, COMPLETE); null when nothing was planned. */
  plan: string | null;
  objectsFetched: number;
  entriesCreated: number;
  entriesUpdated: number;
  entriesDeleted: number;
  entriesUnchanged: number;
  conflictsKept: number;
  errorCode: string | null;
  message: string | null;
}

export const syncRuns = pgTable(
  "sync_runs",
  {
    id: uuid().primaryKey().defaultRandom(),
    integrationId: uuid()
      .notNull()
      .references(() => integrations.id, { onDelete: "cascade" }),
    mode: syncMode().notNull(),
    trigger: syncTrigger().notNull(),
    status: syncStatus().notNull().default("RUNNING"),
    message: text(),
    startedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** Renewed while the run works; a RUNNING run whose heartbeat stopped was interrupted. */
    heartbeatAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp({ withTimezone: true }),
    durationMs: integer(),
    objectsFetched: integer().notNull().default(0),
    occurrencesSeen: integer().notNull().default(0),
    entriesCreated: integer().notNull().default(0),
    entriesUpdated: integer().notNull().default(0),
    entriesDeleted: integer().notNull().default(0),
    entriesUnchanged: integer().notNull().default(0),
    conflictsKept: integer().notNull().default(0),
    /** Deletions and detachments the mass-delete or empty-calendar guard held back (src/sync/plan.ts). */
    withheldDeletions: integer().notNull().default(0),
    /** Skipped occurrences by reason: ALL_DAY, CANCELLED, DECLINED, TENTATIVE, NOT_ATTENDING, FREE, INVALID_TIME, PARSE_ERROR. */
    skipped: jsonb().$type<Record<string, number>>().notNull().default({}),
    requests: integer().notNull().default(0),
    bytesReceived: integer().notNull().default(0),
    /** Per-object problems (capped): the sync went on without them. */
    errors: jsonb().$type<{ href: string; uid: string | null; message: string }[]>().notNull().default([]),
    warnings: jsonb().$type<string[]>().notNull().default([]),
    /** For ERROR runs that failed at the CalDAV server: its code (AUTH_FAILED, TIMEOUT, …). */
    errorCode: text(),
    /** The server asked us to come back after this long (Retry-After). */
    retryAfterMs: integer(),
    /** What happened to each synced calendar: each downloads, succeeds or fails on its own (src/sync/outcome.ts). */
    calendars: jsonb().$type<SyncRunCalendarRecord[]>().notNull().default([]),
  },
  (t) => [
    index("sync_runs_integration_started").on(t.integrationId, t.startedAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    // One running sync per integration, across processes and instances.
    uniqueIndex("sync_runs_one_running").on(t.integrationId).where(sql`${t.status} = 'RUNNING'`),
  ],
);
