/** SQLSTATE 23505. Drizzle wraps driver errors, so look through the cause chain. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  for (let e = error; e instanceof Error || (typeof e === "object" && e !== null); e = (e as { cause?: unknown }).cause) {
    const { code, constraint_name: pgjs, constraint: pglite } = e as { code?: string; constraint_name?: string; constraint?: string };
    if (code === "23505") return constraint === undefined || constraint === (pgjs ?? pglite);
    if (!(e as { cause?: unknown }).cause) break;
  }
  return false;
}
