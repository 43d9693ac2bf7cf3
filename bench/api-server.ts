/**
 * The real HTTP server (createHttpServer, as test/helpers/api.ts starts it) on a database holding
 * ENTRIES time entries of one user, bulk-inserted with SQL. Prints "READY <url> <token> <pid>" and
 * runs until SIGTERM or stdin closes. Input: BENCH_API = {"db": "pglite"|"postgres", "postgresUrl", "entries"}.
 */
import "reflect-metadata";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { openBenchDatabase } from "./database.js";
import { createHttpServer } from "../src/http/app.js";
import { createCalDAVAccess } from "../src/integrations/caldav-access.js";
import { CredentialCipher } from "../src/integrations/credentials.js";
import { createLogger } from "../src/logger.js";
import { createServices } from "../src/services.js";

const input = JSON.parse(process.env.BENCH_API ?? "{}") as { db: "pglite" | "postgres"; postgresUrl: string; entries: number };

async function main(): Promise<void> {
  const database = await openBenchDatabase(input.db, input.postgresUrl, "bench_api");
  const log = createLogger("silent");
  const services = createServices(database.db, {
    cipher: new CredentialCipher(randomBytes(32)),
    caldav: createCalDAVAccess({ caldavAllowPrivateNetworks: false, caldavTimeoutMs: 10_000 }),
    log,
  });
  const user = await services.users.create({ email: "api-bench@example.com", timezone: "UTC" });
  const { token } = await services.users.createToken(user.id, "bench");
  const project = await services.projects.create(user.id, "Alpha");
  // A second user with as many entries, so the index has to separate users.
  const other = await services.users.create({ email: "other@example.com", timezone: "UTC" });
  for (const owner of [user.id, other.id]) {
    await database.db.execute(sql`
      insert into time_entries (user_id, project_id, start_time, end_time, duration_seconds, notes, source)
      select ${owner}::uuid, case when g % 3 = 0 and ${owner}::uuid = ${user.id}::uuid then ${project.id}::uuid end,
             timestamptz '2020-01-01' + g * interval '37 minutes',
             timestamptz '2020-01-01' + g * interval '37 minutes' + interval '30 minutes',
             1800, 'Entry ' || g || ': some meeting notes', case when g % 2 = 0 then 'auto'::time_entry_source else 'manual'::time_entry_source end
      from generate_series(1, ${input.entries}) as g`);
  }
  await database.db.execute(sql`analyze time_entries`);

  const http = await createHttpServer({
    config: { graphqlMaxDepth: 10, graphqlMaxComplexity: 10_000, requestBodyLimitBytes: 1_048_576 },
    database,
    services,
    log,
  });
  await new Promise<void>((resolve) => http.server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(http.server.address() as AddressInfo).port}`;
  process.stdout.write(`READY ${url} ${token} ${process.pid}\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await http.stop();
    await database.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.stdin.on("end", () => void stop());
  process.stdin.resume();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
