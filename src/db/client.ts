/**
 * Two drivers behind one interface: embedded PGlite (the zero-setup default, one connection in
 * this process) and PostgreSQL through postgres.js (production, several instances).
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { acquireDataDirLock } from "./data-dir-lock.js";
import { ensurePgliteCluster, PGLITE_START_PARAMS } from "./pglite-cluster.js";
import * as schema from "./schema.js";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

/**
 * An in-memory database is gone with its process: nothing to make durable, so no flushes and no
 * full-page images in the write-ahead log, which PGlite otherwise writes to its in-memory file system.
 */
const IN_MEMORY_PARAMS = ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"];

export interface Database {
  db: Db;
  kind: "pglite" | "postgres";
  /** Cheap round trip for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `drizzle/` beside package.json. Found by walking up, because this module runs from `src/db/`
 * (tsx, vitest) and from `dist/src/db/` (the compiled build `npm start` runs).
 */
export const migrationsFolder = migrationsFolderAbove(path.dirname(fileURLToPath(import.meta.url)));

function migrationsFolderAbove(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "drizzle");
    if (fs.existsSync(path.join(candidate, "meta", "_journal.json"))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`no drizzle/meta/_journal.json above ${from}`);
  }
}

/** Arbitrary constant shared by every instance: serializes migrations across processes. */
const MIGRATION_LOCK_KEY = 724_133_001;

export type DatabaseOptions =
  | { kind: "postgres"; url: string; maxConnections?: number }
  /** dataDir null: in memory (tests). loadDataDir: start from a dumped, already migrated database. */
  | { kind: "pglite"; dataDir: string | null; loadDataDir?: Blob };

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.kind === "postgres" ? openPostgres(options.url, options.maxConnections ?? 10) : openPglite(options);
}

async function openPostgres(url: string, maxConnections: number): Promise<Database> {
  await migratePostgresLocked(url);
  const client = postgres(url, { max: maxConnections, onnotice: () => {} });
  const db = drizzlePostgres({ client, schema, casing: "snake_case" });
  return {
    db,
    kind: "postgres",
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: () => client.end({ timeout: 5 }),
  };
}

/** Several instances may start at once: one migrates while the others wait on the advisory lock. */
async function migratePostgresLocked(url: string): Promise<void> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await migratePostgres(drizzlePostgres({ client, casing: "snake_case" }), { migrationsFolder });
    await client`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
  } finally {
    await client.end({ timeout: 5 });
  }
}

async function openPglite(options: { dataDir: string | null; loadDataDir?: Blob }): Promise<Database> {
  let releaseLock = () => {};
  let client: PGlite;
  if (options.dataDir) {
    fs.mkdirSync(options.dataDir, { recursive: true }); // PGlite's own mkdir is not recursive
    releaseLock = acquireDataDirLock(options.dataDir);
    try {
      const clusterDir = path.join(options.dataDir, "pglite");
      await ensurePgliteCluster(clusterDir);
      client = new PGlite(clusterDir, { startParams: PGLITE_START_PARAMS });
      await client.waitReady;
    } catch (error) {
      releaseLock();
      throw error;
    }
  } else {
    client = new PGlite({ loadDataDir: options.loadDataDir, startParams: [...PGLITE_START_PARAMS, ...IN_MEMORY_PARAMS] });
    await client.waitReady;
  }
  const db = drizzlePglite({ client, schema, casing: "snake_case" });
  await migratePglite(db, { migrationsFolder });
  return {
    db,
    kind: "pglite",
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: async () => {
      await client.close();
      releaseLock();
    },
  };
}

/** A migrated, empty in-memory database as a blob: tests clone it in ~0.4 s instead of migrating. */
export async function dumpMigratedPglite(): Promise<Blob> {
  const client = new PGlite();
  await migratePglite(drizzlePglite({ client, casing: "snake_case" }), { migrationsFolder });
  const dump = await client.dumpDataDir("none");
  await client.close();
  return dump;
}
