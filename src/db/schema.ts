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
