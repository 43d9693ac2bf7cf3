import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { dumpMigratedPglite, openDatabase, type Database } from "../../src/db/client.js";

/**
 * A fresh, migrated, empty database per call: PostgreSQL when DATABASE_URL is set (a new
 * database is created on that server and dropped on close), else in-memory PGlite cloned from a
 * migrated template.
 */
export async function openTestDatabase(): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL;
  if (url) return openScratchPostgres(url);
  return { ...(await openDatabase({ kind: "pglite", dataDir: null, loadDataDir: await pgliteTemplate() })), url: null };
}

/** `url`: the scratch PostgreSQL database, for tests that open a second pool (a second instance). */
export type TestDatabase = Database & { url: string | null };

export const testDatabaseKind = process.env.DATABASE_URL ? "postgres" : "pglite";

let template: Promise<Blob> | null = null;
function pgliteTemplate(): Promise<Blob> {
  template ??= dumpMigratedPglite();
  return template;
}

/** A new database on that server, migrated; dropped on close. Also used by the benchmark. */
export async function openScratchPostgres(serverUrl: string, prefix = "test"): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ kind: "postgres", url: url.toString() });
  return {
    ...database,
    url: url.toString(),
    close: async () => {
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
