import "reflect-metadata";
import type { AddressInfo } from "node:net";
import { createFirstUserIfEmpty } from "./bootstrap.js";
import { ConfigError, loadConfig } from "./config.js";
import { openDatabase } from "./db/client.js";
import { DataDirLockedError } from "./db/data-dir-lock.js";
import { createHttpServer } from "./http/app.js";
import { createLogger } from "./logger.js";
import { createServices, serviceDepsFromConfig } from "./services.js";

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const running: { stop: () => Promise<void> }[] = [];

  // Registered before anything starts, so a SIGTERM during start-up also shuts down cleanly.
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    setTimeout(() => {
      log.error("graceful shutdown timed out; exiting");
      process.exit(1);
    }, config.shutdownGraceMs + 10_000).unref();
    for (const component of running.reverse()) await component.stop();
    log.info("stopped");
    log.flush();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  const database = await openDatabase(
    config.databaseUrl ? { kind: "postgres", url: config.databaseUrl } : { kind: "pglite", dataDir: config.dataDir },
  );
  running.push({ stop: () => database.close() });
  const services = createServices(database.db, serviceDepsFromConfig(config, log));
  // The embedded database belongs to this process alone: any RUNNING run left in it is dead.
  const interrupted = await services.syncRuns.failStaleRuns(new Date(), database.kind === "pglite" ? 0 : undefined);
  if (interrupted > 0) log.warn({ interrupted }, "marked sync runs interrupted by an earlier stop as failed");
  running.push({
    // Let syncs finish within the grace period; a run cut off later is failed by the next start.
    stop: async () => {
      const grace = new Promise((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref());
      await Promise.race([Promise.allSettled(services.sync.running()), grace]);
    },
  });
  await createFirstUserIfEmpty(
    services,
    { dataDir: config.dataDir, timezone: config.defaultTimezone, print: (text) => process.stdout.write(`${text}\n`) },
    log,
  );
  const http = await createHttpServer({ config, database, services, log });
  running.push(http);
  await new Promise<void>((resolve) => http.server.listen(config.port, config.host, resolve));
  const { port } = http.server.address() as AddressInfo;
  log.info({ host: config.host, port, database: database.kind }, "listening");
  process.stdout.write(`GraphQL API and playground: http://${config.host === "0.0.0.0" ? "localhost" : config.host}:${port}/graphql\n`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DataDirLockedError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
