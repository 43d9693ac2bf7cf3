import "reflect-metadata";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createFirstUserIfEmpty } from "./bootstrap.js";
import { startAdminSocket } from "./cli/admin-socket.js";
import { ConfigError, loadConfig } from "./config.js";
import { openDatabase } from "./db/client.js";
import { DataDirLockedError } from "./db/data-dir-lock.js";
import { rateLimitSettings } from "./graphql/rate-limit.js";
import { createHttpServer } from "./http/app.js";
import { createMetricsServer, METRICS_HOST } from "./http/metrics-endpoint.js";
import { textLogDestination } from "./log-format.js";
import { createLogger } from "./logger.js";
import { Metrics } from "./metrics.js";
import { countDue, Scheduler } from "./scheduler/scheduler.js";
import { createServices, serviceDepsFromConfig } from "./services.js";
import { limitSyncCache } from "./sync/object-cache.js";
import { STALE_RUN_MS } from "./sync/runs.js";

async function main(): Promise<void> {
  const config = loadConfig();
  limitSyncCache(config.syncCacheMb * 2 ** 20);
  const textLogs = config.logFormat === "text" || (config.logFormat === "auto" && process.stdout.isTTY === true);
  const log = createLogger(config.logLevel, textLogs ? textLogDestination(process.stdout) : undefined);
  // What a person starting the server reads stands apart from the log: set off by blank lines
  // among text lines, and on stderr when stdout carries JSON lines for a log collector.
  const printBanner = (text: string) => (textLogs ? process.stdout.write(`\n${text}\n\n`) : process.stderr.write(`${text}\n`));
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
  const deps = serviceDepsFromConfig(config, log, metrics);
  const services = createServices(database.db, deps);
  // Stopped after the running syncs below: their requests use these connections to the end.
  running.push({ stop: () => deps.caldav.close() });
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
      { dataDir: config.dataDir, timezone: config.defaultTimezone, print: printBanner },
      log,
    );
  }
  const http = await createHttpServer({
    config,
    database,
    services,
    log,
    metrics: { metrics, token: config.metricsToken },
    graphql: serveApi,
    rateLimit: rateLimitSettings(config),
  });
  running.push(http);
  const port = await listen(http.server, config.port, config.host);
  const base = `http://${config.host === "0.0.0.0" ? "localhost" : config.host}:${port}`;
  log.info({ host: config.host, port, database: database.kind, role: config.role }, "listening");
  let metricsUrl = config.metricsToken ? `${base}/metrics (Authorization: Bearer <METRICS_TOKEN>)` : null;
  if (config.metricsPort !== null) {
    const metricsServer = createMetricsServer(metrics);
    const metricsPort = await listen(metricsServer, config.metricsPort, METRICS_HOST);
    running.push({
      stop: () =>
        new Promise<void>((resolve) => {
          metricsServer.close(() => resolve());
          metricsServer.closeAllConnections();
        }),
    });
    metricsUrl = `http://${METRICS_HOST}:${metricsPort}/metrics (this machine only)`;
    log.info({ host: METRICS_HOST, port: metricsPort }, "serving metrics");
  }

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
  printBanner(
    [serveApi ? `GraphQL API and playground: ${base}/graphql` : `Sync worker; health: ${base}/healthz`, ...(metricsUrl ? [`Metrics: ${metricsUrl}`] : [])].join("\n"),
  );
}

/** Listens and answers the port bound (the one asked for, or a free one for 0). */
function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DataDirLockedError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
