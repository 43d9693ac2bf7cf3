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
  createdAt: createdAt(),
});

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
    autoSyncIntervalMinutes: integer(),
    lastSyncAt: timestamp({ withTimezone: true }),
    lastSyncStatus: syncStatus(),
    lastError: text(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    foreignKey({ columns: [t.defaultProjectId, t.userId], foreignColumns: [projects.id, projects.userId] }),
    index().on(t.userId),
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

