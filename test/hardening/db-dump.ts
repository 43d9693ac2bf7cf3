import { sql } from "drizzle-orm";
import type { Db } from "../../src/db/client.js";

type Row = Record<string, unknown>;

const rowsOf = (raw: unknown): Row[] => (Array.isArray(raw) ? raw : (raw as { rows: Row[] }).rows) as Row[];

/** Every table of the application's schema (migrations bookkeeping excluded), found at run time. */
export async function tableNames(db: Db): Promise<string[]> {
  const raw = await db.execute(sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`);
  return rowsOf(raw)
    .map((r) => String(r.table_name))
    .filter((t) => !t.startsWith("__drizzle"));
}

/** Every row of every table, each cell as PostgreSQL prints it (bytea as hex), in a stable order. */
export async function dumpAllTables(db: Db): Promise<Record<string, string[]>> {
  const dump: Record<string, string[]> = {};
  for (const table of await tableNames(db)) {
    const raw = await db.execute(sql.raw(`select t::text as row from "${table}" t order by 1`));
    dump[table] = rowsOf(raw).map((r) => String(r.row));
  }
  return dump;
}
