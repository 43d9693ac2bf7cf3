/**
 * One measured sync sequence in a fresh process (so peak RSS is this run's own):
 *   (a) FULL import into an empty database, (b) no-change INCREMENTAL, (c) one changed object,
 *   (d) 100 changed objects — all through the service layer and the real engine. During (a) and
 * (d) another request's `select 1` runs in a loop on the same database: its longest wait is what
 * any GraphQL request, the scheduler or a heartbeat waits for the sync at worst.
 * Input: JSON in BENCH_WORKER; output: one JSON line on stdout prefixed with "RESULT ".
 */
import "reflect-metadata";
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Db } from "../src/db/client.js";
import { openBenchDatabase } from "./database.js";
import { createCalDAVAccess } from "../src/integrations/caldav-access.js";
import { CredentialCipher } from "../src/integrations/credentials.js";
import { createLogger } from "../src/logger.js";
import { createServices, type Services } from "../src/services.js";
import type { SyncRun } from "../src/sync/runs.js";
import { generateObject } from "./generate.js";
import { rssOf, writeObjects, type BenchServerKind } from "./servers.js";

export interface WorkerInput {
  kind: BenchServerKind;
  baseUrl: string;
  calendarUrl: string;
  username: string;
  password: string;
  collectionDir: string;
  serverPid: number | null;
  size: number;
  db: "pglite" | "postgres";
  postgresUrl: string;
  /** distinct per run, so each run's changes are real changes */
  revision: number;
  now: string;
  lookbackDays: number;
}

export interface PhaseResult {
  ms: number;
  requests: number;
  bytes: number;
  status: string;
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  objectsFetched: number;
  /** wall time per engine step, from the engine's "sync finished" log line */
  phasesMs: Record<string, number>;
  /** of `ms`, the time spent waiting for the CalDAV server's answers */
  serverWaitMs: number;
  /** the longest a concurrent `select 1` waited during the sync (measured in (a) and (d) only) */
  concurrentWaitMs: number | null;
  /** CPU time (user + system) of this process during the sync: ours, plus PGlite's when it runs here */
  cpuMs: number;
}

export interface WorkerResult {
  full: PhaseResult & { peakRssBytes: number; serverPeakRssBytes: number | null; baselineRssBytes: number };
  noChange: PhaseResult;
  oneChange: PhaseResult;
  hundredChanges: PhaseResult;
}

const input = JSON.parse(process.env.BENCH_WORKER ?? "{}") as WorkerInput;

/** The phases of the last finished sync, read from the engine's log. */
let lastPhases: Record<string, number> = {};
let lastServerWaitMs = 0;
const logSink = {
  write(line: string): void {
    const record = JSON.parse(line) as { msg?: string; phasesMs?: Record<string, number>; serverWaitMs?: number };
    if (record.msg !== "sync finished") return;
    lastPhases = record.phasesMs ?? {};
    lastServerWaitMs = record.serverWaitMs ?? 0;
  },
};

/**
 * Runs `select 1` back to back until `done` settles; the longest single wait. Each wait includes
 * the event loop's: on PGlite the sync's expansion runs in the same thread, as it does in the server.
 */
async function longestWait(db: Db, done: Promise<unknown>): Promise<number> {
  let finished = false;
  void done.finally(() => (finished = true)).catch(() => {});
  let longest = 0;
  while (!finished) {
    const started = performance.now();
    await db.execute(sql`select 1`);
    longest = Math.max(longest, performance.now() - started);
    // Like a request arriving from the network: PGlite answers without a turn of the event loop,
    // and a loop that never yields would starve the sync it measures.
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return longest;
}

async function sync(services: Services, userId: string, integrationId: string, mode: "FULL" | "INCREMENTAL", probe?: Db): Promise<PhaseResult> {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const running = syncAndWait(services, userId, integrationId, mode);
  const concurrentWaitMs = probe ? await longestWait(probe, running) : null;
  const run = await running;
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  if (run.status !== "SUCCESS") throw new Error(`${mode} sync ended ${run.status}: ${run.message}`);
  return {
    ms,
    requests: run.requests,
    bytes: run.bytesReceived,
    status: run.status,
    created: run.entriesCreated,
    updated: run.entriesUpdated,
    deleted: run.entriesDeleted,
    unchanged: run.entriesUnchanged,
    objectsFetched: run.objectsFetched,
    phasesMs: lastPhases,
    serverWaitMs: lastServerWaitMs,
    concurrentWaitMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

async function syncAndWait(services: Services, userId: string, integrationId: string, mode: "FULL" | "INCREMENTAL"): Promise<SyncRun> {
  const run = await services.sync.syncNow(userId, integrationId, { mode, trigger: "MANUAL" });
  if (run.status !== "RUNNING") return run;
  // syncNow answers after 25 s with the run still going: wait for it
  const finished = await Promise.all(services.sync.running());
  return finished.find((r) => r.id === run.id) ?? run;
}

async function main(): Promise<void> {
  const database = await openBenchDatabase(input.db, input.postgresUrl, "bench");
  try {
    const log = createLogger("info", logSink);
    const services = createServices(database.db, {
      cipher: new CredentialCipher(randomBytes(32)),
      caldav: createCalDAVAccess({ caldavAllowPrivateNetworks: true, caldavTimeoutMs: 120_000 }),
      log,
    });
    const user = await services.users.create({ email: "bench@example.com", timezone: "Europe/Berlin" });
    for (const name of ["Alpha", "Beta", "Gamma", "Delta"]) await services.projects.create(user.id, name);
    const integration = await services.integrations.configure(user.id, {
      serverUrl: input.baseUrl,
      username: input.username,
      password: input.password,
      lookbackDays: input.lookbackDays,
      calendars: [{ url: input.calendarUrl, selected: true }],
    });

    global.gc?.();
    const baselineRssBytes = process.memoryUsage().rss;
    let peak = baselineRssBytes;
    let serverPeak: number | null = null;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
      const s = rssOf(input.serverPid, true);
      if (s !== null) serverPeak = Math.max(serverPeak ?? 0, s);
    }, 10);
    const full = await sync(services, user.id, integration.id, "FULL", database.db);
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);

    const noChange = await sync(services, user.id, integration.id, "INCREMENTAL");

    const now = new Date(input.now);
    writeObjects(input.kind, input.collectionDir, [generateObject(Math.floor(input.size / 2), now, 42, input.revision)]);
    const oneChange = await sync(services, user.id, integration.id, "INCREMENTAL");

    const step = Math.max(1, Math.floor(input.size / 100));
    const hundred = Array.from({ length: Math.min(100, input.size) }, (_, k) => generateObject((k * step + 1) % input.size, now, 42, input.revision));
    writeObjects(input.kind, input.collectionDir, hundred);
    const hundredChanges = await sync(services, user.id, integration.id, "INCREMENTAL", database.db);

    const result: WorkerResult = { full: { ...full, peakRssBytes: peak, serverPeakRssBytes: serverPeak, baselineRssBytes }, noChange, oneChange, hundredChanges };
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  } finally {
    await database.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
