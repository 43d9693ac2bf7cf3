/**
 * The database a benchmark process measures: PGlite in a data folder of its own, as `npm start`
 * runs it (created at open, removed at close), or a scratch PostgreSQL database.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openDatabase, type Database } from "../src/db/client.js";
import { openScratchPostgres } from "../test/helpers/database.js";

export async function openBenchDatabase(kind: "pglite" | "postgres", postgresUrl: string, name: string): Promise<Database> {
  if (kind === "postgres") return openScratchPostgres(postgresUrl, name);
  const dataDir = mkdtempSync(path.join(tmpdir(), `${name}-pglite-`));
  const database = await openDatabase({ kind: "pglite", dataDir });
  return {
    ...database,
    close: async () => {
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
