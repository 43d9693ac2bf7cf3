import type { Db } from "../../src/db/client.js";

/**
 * Counts the SQL statements drizzle sends while `work` runs, through the logger hook each driver
 * session calls before it executes a statement. Statements of queries prepared before the count
 * started (the entry page queries) are not seen; everything built per call is.
 */
export async function countStatements(db: Db, work: () => Promise<unknown>): Promise<string[]> {
  const session = (db as unknown as { session: { logger: { logQuery(query: string, params: unknown[]): void } } }).session;
  const original = session.logger;
  const statements: string[] = [];
  session.logger = { logQuery: (query) => statements.push(query) };
  try {
    await work();
  } finally {
    session.logger = original;
  }
  return statements;
}
