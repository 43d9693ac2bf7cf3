import "reflect-metadata";
import type { AddressInfo } from "node:net";
import { createFirstUserIfEmpty } from "./bootstrap.js";
import { startAdminSocket } from "./cli/admin-socket.js";
import { ConfigError, loadConfig } from "./config.js";
import { openDatabase } from "./db/client.js";
import { DataDirLockedError } from "./db/data-dir-lock.js";
import { rateLimitSettings } from "./graphql/rate-limit.js";
import { createHttpServer } from "./http/app.js";
import { createLogger } from "./logger.js";
import { Metrics } from "./metrics.js";
import { countDue, Scheduler } from "./scheduler/scheduler.js";
import { createServices, serviceDepsFromConfig } from "./services.js";
import { STALE_RUN_MS } from "./sync/runs.js";

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
  const metrics = new Metrics(() => countDue(database.db));
  const services = createServices(database.db, serviceDepsFromConfig(config, log, metrics));
  // Only this process may open the embedded database: the CLI's user and token commands come here.
  if (database.kind === "pglite") running.push(await startAdminSocket(config.dataDir, services.users, config.defaultTimezone, log));
  // The embedded database belongs to this process alone: any RUNNING run left in it is dead.
  const interrupted = await services.syncRuns.failStaleRuns(new Date(), database.kind === "pglite" ? 0 : undefined);
  if (interrupted > 0) log.warn({ interrupted }, "marked sync runs interrupted by an earlier stop as failed");
  running.push({
    // Let manual syncs finish within the grace period; a run cut off later is failed by the next start.
    stop: async () => {
      const grace = new Promise((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref());
      await Promise.race([Promise.allSettled(services.sync.running()), grace]);
    },
  });

  const serveApi = config.role !== "worker";
  if (serveApi) {
    await createFirstUserIfEmpty(
      services,
      { dataDir: config.dataDir, timezone: config.defaultTimezone, print: (text) => process.stdout.write(`${text}\n`) },
      log,
    );
  }
  const http = await createHttpServer({ config, database, services, log, metrics, graphql: serveApi, rateLimit: rateLimitSettings(config) });
  running.push(http);
  await new Promise<void>((resolve) => http.server.listen(config.port, config.host, resolve));
  const { port } = http.server.address() as AddressInfo;
  const base = `http://${config.host === "0.0.0.0" ? "localhost" : config.host}:${port}`;
  log.info({ host: config.host, port, database: database.kind, role: config.role }, "listening");

  if (config.role !== "api") {
    const scheduler = new Scheduler(database.db, services.sync, log, {
      concurrency: config.syncConcurrency,
      pollIntervalMs: config.schedulerPollMs,
      leaseMs: STALE_RUN_MS + 30_000,
      pauseAfterAuthFailures: config.syncPauseAfterAuthFailures,
      backoff: { maxBackoffMs: config.syncMaxBackoffMinutes * 60_000 },
    });
    scheduler.start();
    running.push({ stop: () => scheduler.stop(config.shutdownGraceMs) });
    log.info({ concurrency: config.syncConcurrency }, "scheduler started");
  }
  process.stdout.write(serveApi ? `GraphQL API and playground: ${base}/graphql\n` : `Sync worker; health and metrics: ${base}/healthz ${base}/metrics\n`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DataDirLockedError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
