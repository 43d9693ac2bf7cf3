/**
 * Scheduler throughput with the default settings, in a process of its own: N integrations on one
 * CalDAV server, all due, nothing changed since their first import. The instance runs the real
 * Scheduler, sync service and CalDAV client as `npm start` configures them (SYNC_CONCURRENCY,
 * SCHEDULER_POLL_MS, CALDAV_MAX_REQUESTS_PER_ORIGIN at their defaults).
 * Input: JSON in BENCH_SCHEDULER; output: one JSON line on stdout prefixed with "RESULT ".
 */
import "reflect-metadata";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { sql } from "drizzle-orm";
import { loadConfig } from "../src/config.js";
import type { Db } from "../src/db/client.js";
import { integrations } from "../src/db/schema.js";
import { createCalDAVAccess } from "../src/integrations/caldav-access.js";
import { CredentialCipher } from "../src/integrations/credentials.js";
import { createLogger } from "../src/logger.js";
import { Scheduler, type ScheduledSyncs } from "../src/scheduler/scheduler.js";
import { createServices, type Services } from "../src/services.js";
import { limitSyncCache, syncCacheSize } from "../src/sync/object-cache.js";
import { STALE_RUN_MS } from "../src/sync/runs.js";
import { openBenchDatabase } from "./database.js";
import { runWorker, sampleRss } from "./worker-process.js";

export interface SchedulerInput {
  calendarUrl: string;
  username: string;
  password: string;
  serverPid: number | null;
  integrations: number;
  objectsPerIntegration: number;
  postgresUrl: string;
}

export interface SchedulerPass {
  syncs: number;
  ms: number;
  syncsPerSecond: number;
  statuses: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
  /** claims started by the poll timer / because a slot freed while work was due */
  polls: number;
  refills: number;
  /** this process's CPU time (user + system) during the pass, per sync: the machine is shared, wall time is not ours alone */
  cpuMsPerSync: number;
  /** this process's peak RSS during the pass, and its RSS right after it */
  peakRssBytes: number;
  rssAfterBytes: number;
  /** RSS and V8's heap after the pass and a full garbage collection: what the process holds live */
  rssAfterGcBytes: number;
  heapAfterGcBytes: number;
  /** V8's committed heap and memory outside it (Buffers, native) after that collection */
  heapTotalAfterGcBytes: number;
  externalAfterGcBytes: number;
  /** what the sync caches hold after the pass (estimated bytes, entries) */
  cacheBytes: number;
  cacheEntries: number;
  /** TcpExt ListenOverflows during the pass (whole machine), null where unreadable */
  listenOverflows: number | null;
}

export interface SchedulerResult {
  settings: { syncConcurrency: number; schedulerPollMs: number; caldavMaxRequestsPerOrigin: number; syncCacheMb: number };
  objectsPerIntegration: number;
  firstImports: SchedulerPass;
  noChange: SchedulerPass;
  serverPeakRssBytes: number | null;
}

const input = JSON.parse(process.env.BENCH_SCHEDULER ?? "{}") as SchedulerInput;

function listenOverflows(): number | null {
  try {
    const lines = readFileSync("/proc/net/netstat", "utf8").split("\n").filter((l) => l.startsWith("TcpExt:"));
    const names = lines[0]!.split(/\s+/);
    const values = lines[1]!.split(/\s+/);
    return Number(values[names.indexOf("ListenOverflows")]);
  } catch {
    return null;
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** Makes every integration due, runs one scheduler with the defaults until each has synced once. */
async function pass(db: Db, services: Services, config: ReturnType<typeof loadConfig>, count: number): Promise<SchedulerPass> {
  await db.update(integrations).set({ nextSyncAt: sql`now() - interval '1 second'` });
  const durations: number[] = [];
  const statuses: Record<string, number> = {};
  let finish = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));
  const counting: ScheduledSyncs = {
    syncScheduled: async (integration) => {
      const run = await services.sync.syncScheduled(integration);
      if (run) {
        durations.push(run.durationMs ?? NaN);
        statuses[run.status] = (statuses[run.status] ?? 0) + 1;
        if (durations.length === count) finish();
      }
      return run;
    },
  };
  const scheduler = new Scheduler(db, counting, createLogger("silent"), {
    concurrency: config.syncConcurrency,
    pollIntervalMs: config.schedulerPollMs,
    leaseMs: STALE_RUN_MS + 30_000,
    pauseAfterAuthFailures: config.syncPauseAfterAuthFailures,
    backoff: { maxBackoffMs: config.syncMaxBackoffMinutes * 60_000 },
  });
  const sampler = sampleRss(null, 50);
  const overflowsBefore = listenOverflows();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  scheduler.start();
  await done;
  const ms = performance.now() - started;
  await scheduler.stop(30_000);
  const cpu = process.cpuUsage(cpuBefore);
  const overflowsAfter = listenOverflows();
  const { peakRssBytes } = sampler.stop();
  const rssAfterBytes = process.memoryUsage().rss;
  (globalThis as { gc?: () => void }).gc?.();
  const sorted = [...durations].sort((a, b) => a - b);
  const caches = syncCacheSize();
  const afterGc = process.memoryUsage();
  return {
    syncs: count,
    ms,
    syncsPerSecond: count / (ms / 1000),
    statuses,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    polls: scheduler.stats.polls,
    refills: scheduler.stats.refills,
    cpuMsPerSync: (cpu.user + cpu.system) / 1000 / count,
    peakRssBytes,
    rssAfterBytes,
    rssAfterGcBytes: afterGc.rss,
    heapAfterGcBytes: afterGc.heapUsed,
    heapTotalAfterGcBytes: afterGc.heapTotal,
    externalAfterGcBytes: afterGc.external,
    cacheBytes: caches.reduce((n, c) => n + c.bytes, 0),
    cacheEntries: caches.reduce((n, c) => n + c.entries, 0),
    listenOverflows: overflowsBefore === null || overflowsAfter === null ? null : overflowsAfter - overflowsBefore,
  };
}

/** With a path, writes a CPU profile of `work` there (open it in Chrome's DevTools). */
async function profiled<T>(path: string | undefined, work: () => Promise<T>): Promise<T> {
  if (!path) return work();
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  try {
    return await work();
  } finally {
    const { profile } = await session.post("Profiler.stop");
    writeFileSync(path, JSON.stringify(profile));
    session.disconnect();
  }
}

async function main(): Promise<void> {
  // As `npm start` reads it: the defaults unless the environment sets SYNC_CONCURRENCY and the like (the report shows what ran).
  const config = loadConfig(process.env);
  limitSyncCache(config.syncCacheMb * 2 ** 20);
  const database = await openBenchDatabase("postgres", input.postgresUrl, "benchsched");
  try {
    const services = createServices(database.db, { cipher: new CredentialCipher(randomBytes(32)), caldav: createCalDAVAccess(config), log: createLogger("silent") });
    for (let i = 0; i < input.integrations; i++) {
      // A user each: one calendar is synced by one integration of a user.
      const user = await services.users.create({ email: `scheduler-${i}@example.com`, timezone: "Europe/Berlin" });
      await services.integrations.configure(user.id, {
        name: `bench ${i}`,
        calendarUrl: input.calendarUrl,
        username: input.username,
        password: input.password,
        autoSyncIntervalMinutes: 5,
      });
    }
    const server = sampleRss(input.serverPid, 50);
    const firstImports = await pass(database.db, services, config, input.integrations);
    const noChange = await profiled(process.env.BENCH_SCHEDULER_PROFILE, () => pass(database.db, services, config, input.integrations));

    const result: SchedulerResult = {
      settings: { syncConcurrency: config.syncConcurrency, schedulerPollMs: config.schedulerPollMs, caldavMaxRequestsPerOrigin: config.caldavMaxRequestsPerOrigin, syncCacheMb: config.syncCacheMb },
      objectsPerIntegration: input.objectsPerIntegration,
      firstImports,
      noChange,
      serverPeakRssBytes: server.stop().serverPeakRssBytes,
    };
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  } finally {
    await database.close();
  }
}

runWorker(main);
