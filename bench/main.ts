/**
 * npm run bench — import speed, incremental cost, memory and API latency on real local servers.
 *
 * Environment (all optional; the default is the full set):
 *   BENCH_SECTIONS=sync,api,scheduler   which parts run (e.g. BENCH_SECTIONS=scheduler alone)
 *   BENCH_SIZES=1000,10000        calendar sizes (objects)
 *   BENCH_SERVERS=radicale,xandikos
 *   BENCH_DBS=pglite,postgres     databases for the sync runs
 *   BENCH_RUNS=3                  runs per measurement (the median is reported)
 *   BENCH_API=1                   0 skips (f)
 *   BENCH_API_DBS=pglite,postgres
 *   BENCH_API_ENTRIES=100000  BENCH_API_CLIENTS=32  BENCH_API_SECONDS=10
 *   BENCH_SCHEDULER_INTEGRATIONS=1000   due integrations for the scheduler run (on PostgreSQL)
 *   BENCH_SCHEDULER_SERVER=xandikos     the server of the scheduler run
 *   BENCH_SCHEDULER_OBJECTS=50          objects in the calendar every integration of the scheduler run syncs
 *   BENCH_SCHEDULER_PROFILE=path        write a CPU profile of the scheduler run's no-change pass there
 *   BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test   (scratch databases are created and dropped there)
 *   BENCH_NO_DOCS=1               do not rewrite docs/benchmarks.md
 * Everything runs on 127.0.0.1 and stops by itself.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateCalendar } from "./generate.js";
import { runLoad, type LoadResult } from "./loadgen.js";
import { updateDocs, type BenchReport, type SyncRow, type ApiRow } from "./report.js";
import { updateSchedulerDocs, type SchedulerReport } from "./scheduler-report.js";
import type { SchedulerInput, SchedulerResult } from "./scheduler-worker.js";
import { downloadAll, startBenchServer, warmUp, type BenchServer, type BenchServerKind } from "./servers.js";
import type { WorkerInput, WorkerResult } from "./sync-worker.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.join(HERE, "..");

const list = (name: string, fallback: string) => (process.env[name] ?? fallback).split(",").map((s) => s.trim()).filter(Boolean);
const SECTIONS = list("BENCH_SECTIONS", "sync,api,scheduler");
const SIZES = list("BENCH_SIZES", "1000,10000").map(Number);
const SERVERS = list("BENCH_SERVERS", "radicale,xandikos") as BenchServerKind[];
const DBS = list("BENCH_DBS", "pglite,postgres") as ("pglite" | "postgres")[];
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const API = process.env.BENCH_API !== "0" && SECTIONS.includes("api");
const SCHEDULER_INTEGRATIONS = Number(process.env.BENCH_SCHEDULER_INTEGRATIONS ?? 1000);
const SCHEDULER_SERVER = (process.env.BENCH_SCHEDULER_SERVER ?? "xandikos") as BenchServerKind;
const SCHEDULER_OBJECTS = Number(process.env.BENCH_SCHEDULER_OBJECTS ?? 50);
const API_DBS = list("BENCH_API_DBS", "pglite,postgres") as ("pglite" | "postgres")[];
const API_ENTRIES = Number(process.env.BENCH_API_ENTRIES ?? 100_000);
const API_CLIENTS = Number(process.env.BENCH_API_CLIENTS ?? 32);
const API_SECONDS = Number(process.env.BENCH_API_SECONDS ?? 10);
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const LOOKBACK_DAYS = 365;
/** Hard stop for the whole benchmark. */
const DEADLINE_MS = Number(process.env.BENCH_DEADLINE_MIN ?? 60) * 60_000;

for (const url of [POSTGRES_URL]) {
  const host = new URL(url).hostname;
  if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(host)) throw new Error(`BENCH_POSTGRES_URL must point at loopback, not ${host}`);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/**
 * The measured processes run the compiled build, as `npm start` runs the server: a TypeScript
 * loader in the process would add 80–120 MB to every RSS we report.
 */
function buildForBench(): void {
  execFileSync(process.execPath, [createRequire(import.meta.url).resolve("typescript/bin/tsc"), "-p", "tsconfig.bench.json"], { cwd: ROOT, stdio: "inherit" });
}

/** `script`: a file in bench/, run from its compiled copy in dist/bench/. */
const compiled = (script: string) => path.join(ROOT, "dist", "bench", script.replace(/\.ts$/, ".js"));

function runChild<T>(script: string, env: Record<string, string>, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", compiled(script)], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      const line = out.split("\n").find((l) => l.startsWith("RESULT "));
      if (code === 0 && line) resolve(JSON.parse(line.slice(7)) as T);
      else reject(new Error(`${script} exited ${code}\n${err.slice(-3000)}`));
    });
  });
}

async function benchSync(server: BenchServer, size: number, now: Date): Promise<SyncRow[]> {
  const rows: SyncRow[] = [];
  log(`${server.kind} ${size}: generating and writing ${size} objects`);
  server.clear();
  const objects = generateCalendar(size, now);
  server.write(objects);
  const warmStarted = performance.now();
  await warmUp(server);
  log(`${server.kind} ${size}: warmed up in ${((performance.now() - warmStarted) / 1000).toFixed(1)} s`);

  const floors: { ms: number; bytes: number }[] = [];
  for (let i = 0; i < Math.max(RUNS, 3); i++) floors.push(await downloadAll(server));
  const floorMs = median(floors.map((f) => f.ms));
  log(`${server.kind} ${size}: floor (one REPORT with all data) ${floorMs.toFixed(0)} ms, ${floors[0]!.bytes} bytes`);

  let revision = 1;
  for (const db of DBS) {
    const results: WorkerResult[] = [];
    for (let run = 0; run < RUNS; run++) {
      const input: WorkerInput = {
        kind: server.kind,
        baseUrl: server.baseUrl,
        calendarUrl: server.calendarUrl,
        username: server.username,
        password: server.password,
        collectionDir: server.collectionDir,
        serverPid: server.pid(),
        size,
        db,
        postgresUrl: POSTGRES_URL,
        revision: revision++,
        now: now.toISOString(),
        lookbackDays: LOOKBACK_DAYS,
      };
      const result = await runChild<WorkerResult>("sync-worker.ts", { BENCH_WORKER: JSON.stringify(input) }, 15 * 60_000);
      results.push(result);
      log(
        `${server.kind} ${size} ${db} run ${run + 1}: full ${result.full.ms.toFixed(0)} ms / ${result.full.requests} req / ${(result.full.peakRssBytes / 2 ** 20).toFixed(0)} MB, ` +
          `own ${(result.full.ms - result.full.serverWaitMs).toFixed(0)} ms, CPU ${result.full.cpuMs.toFixed(0)} ms; ` +
          `no-change ${result.noChange.ms.toFixed(0)} ms / ${result.noChange.requests} req, one ${result.oneChange.ms.toFixed(0)} ms / ${result.oneChange.requests} req, ` +
          `100 ${result.hundredChanges.ms.toFixed(0)} ms / ${result.hundredChanges.requests} req; longest concurrent wait ${result.full.concurrentWaitMs?.toFixed(0)} / ${result.hundredChanges.concurrentWaitMs?.toFixed(0)} ms`,
      );
    }
    const m = (pick: (r: WorkerResult) => number) => median(results.map(pick));
    rows.push({
      server: server.kind,
      serverVersion: server.version,
      db,
      objects: size,
      runs: results.length,
      floorMs,
      floorBytes: floors[0]!.bytes,
      full: {
        ms: m((r) => r.full.ms),
        requests: m((r) => r.full.requests),
        bytes: m((r) => r.full.bytes),
        entriesCreated: m((r) => r.full.created),
        peakRssMB: m((r) => r.full.peakRssBytes) / 2 ** 20,
        baselineRssMB: m((r) => r.full.baselineRssBytes) / 2 ** 20,
        serverPeakRssMB: results[0]!.full.serverPeakRssBytes === null ? null : m((r) => r.full.serverPeakRssBytes ?? 0) / 2 ** 20,
        serverMs: m((r) => r.full.serverWaitMs),
        ownMs: m((r) => r.full.ms - r.full.serverWaitMs),
        cpuMs: m((r) => r.full.cpuMs),
        phasesMs: Object.fromEntries(Object.keys(results[0]!.full.phasesMs).map((phase) => [phase, m((r) => r.full.phasesMs[phase] ?? 0)])),
        concurrentWaitMs: m((r) => r.full.concurrentWaitMs ?? 0),
      },
      noChange: { ms: m((r) => r.noChange.ms), requests: m((r) => r.noChange.requests), serverMs: m((r) => r.noChange.serverWaitMs) },
      oneChange: { ms: m((r) => r.oneChange.ms), requests: m((r) => r.oneChange.requests), updated: m((r) => r.oneChange.updated), serverMs: m((r) => r.oneChange.serverWaitMs) },
      hundredChanges: {
        ms: m((r) => r.hundredChanges.ms),
        requests: m((r) => r.hundredChanges.requests),
        updated: m((r) => r.hundredChanges.updated),
        serverMs: m((r) => r.hundredChanges.serverWaitMs),
        concurrentWaitMs: m((r) => r.hundredChanges.concurrentWaitMs ?? 0),
      },
      raw: results,
    });
  }
  return rows;
}

async function benchApi(db: "pglite" | "postgres"): Promise<ApiRow> {
  log(`api ${db}: seeding ${API_ENTRIES} entries and starting the HTTP server`);
  const child = spawn(process.execPath, [compiled("api-server.ts")], {
    cwd: ROOT,
    // As `npm start` runs it: graphql-js skips its development-mode checks in production.
    env: { ...process.env, NODE_ENV: "production", BENCH_API: JSON.stringify({ db, postgresUrl: POSTGRES_URL, entries: API_ENTRIES }) },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const killTimer = setTimeout(() => child.kill("SIGKILL"), 10 * 60_000);
  let err = "";
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const ready = await new Promise<{ url: string; token: string; pid: number }>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /READY (\S+) (\S+) (\d+)/.exec(out);
      if (m) resolve({ url: m[1]!, token: m[2]!, pid: Number(m[3]) });
    });
    child.on("exit", (code) => reject(new Error(`api-server exited ${code}\n${err.slice(-3000)}`)));
  });
  try {
    const query = "{ timeEntries(first: 100) { edges { cursor node { id startTime endTime durationSeconds notes projectId source } } pageInfo { hasNextPage endCursor } } }";
    const load: LoadResult = await runLoad({
      url: ready.url,
      path: "/graphql",
      headers: { authorization: `Bearer ${ready.token}` },
      body: JSON.stringify({ query }),
      clients: API_CLIENTS,
      warmupS: 2,
      durationS: API_SECONDS,
    });
    log(`api ${db}: p50 ${load.p50Ms.toFixed(1)} ms, p99 ${load.p99Ms.toFixed(1)} ms, ${load.throughputRps.toFixed(0)} req/s, ${load.errors} errors`);
    return { db, entries: API_ENTRIES, query, ...load };
  } finally {
    child.stdin.end();
    await new Promise((r) => {
      const t = setTimeout(() => {
        child.kill("SIGKILL");
        r(null);
      }, 15_000);
      child.on("exit", () => {
        clearTimeout(t);
        r(null);
      });
    });
    clearTimeout(killTimer);
  }
}

/** Scheduler throughput with default settings: N due integrations, nothing changed, on PostgreSQL. */
async function benchScheduler(now: Date): Promise<SchedulerReport> {
  log(`scheduler: starting ${SCHEDULER_SERVER}`);
  const server = await startBenchServer(SCHEDULER_SERVER);
  try {
    server.clear();
    server.write(generateCalendar(SCHEDULER_OBJECTS, now));
    await warmUp(server);
    const input: SchedulerInput = {
      calendarUrl: server.calendarUrl,
      username: server.username,
      password: server.password,
      serverPid: server.pid(),
      integrations: SCHEDULER_INTEGRATIONS,
      objectsPerIntegration: SCHEDULER_OBJECTS,
      postgresUrl: POSTGRES_URL,
    };
    log(`scheduler: ${SCHEDULER_INTEGRATIONS} integrations × ${SCHEDULER_OBJECTS} objects, first imports then a pass with nothing changed`);
    const result = await runChild<SchedulerResult>("scheduler-worker.ts", { BENCH_SCHEDULER: JSON.stringify(input) }, 20 * 60_000);
    log(
      `scheduler: first imports ${result.firstImports.syncsPerSecond.toFixed(1)} syncs/s, no change ${result.noChange.syncsPerSecond.toFixed(1)} syncs/s ` +
        `(p50 ${result.noChange.p50Ms.toFixed(0)} ms, p99 ${result.noChange.p99Ms.toFixed(0)} ms, ${result.noChange.cpuMsPerSync.toFixed(1)} ms CPU per sync, ${result.noChange.polls} polls, ${result.noChange.refills} refills); ` +
        `RSS after first imports ${(result.firstImports.rssAfterBytes / 2 ** 20).toFixed(0)} MB, after no change ${(result.noChange.rssAfterBytes / 2 ** 20).toFixed(0)} MB; overflows ${result.noChange.listenOverflows}`,
    );
    return { date: new Date().toISOString(), machine: `\`${os.hostname()}\` (${os.cpus().length} × ${os.cpus()[0]?.model ?? "unknown"})`, kind: SCHEDULER_SERVER, server: server.version, postgres: postgresVersion(), integrations: SCHEDULER_INTEGRATIONS, result };
  } finally {
    await server.stop();
  }
}

function postgresVersion(): string {
  try {
    return execFileSync("psql", [POSTGRES_URL, "-XAtc", "show server_version"], { encoding: "utf8" }).trim().split(" ")[0]!;
  } catch {
    return "unknown";
  }
}

async function main(): Promise<void> {
  const deadline = setTimeout(() => {
    log("deadline reached: stopping");
    process.exit(2);
  }, DEADLINE_MS);
  deadline.unref();
  log("building (tsconfig.bench.json)");
  buildForBench();
  const started = new Date();
  // One fixed "now" per benchmark: the generated events and the sync window agree.
  const now = new Date();
  const report: BenchReport = {
    date: started.toISOString(),
    machine: {
      hostname: os.hostname(),
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      memoryGB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      node: process.version,
      platform: `${os.type()} ${os.release()}`,
    },
    versions: { postgres: postgresVersion(), pglite: "0.5.16 (PostgreSQL 18, WebAssembly, data folder in the temp directory, as `npm start` runs it)" },
    settings: { sizes: SIZES, servers: SERVERS, dbs: DBS, runs: RUNS, lookbackDays: LOOKBACK_DAYS },
    sync: [],
    api: [],
  };

  for (const kind of SECTIONS.includes("sync") ? SERVERS : []) {
    log(`starting ${kind}`);
    const server = await startBenchServer(kind);
    try {
      for (const size of SIZES) report.sync.push(...(await benchSync(server, size, now)));
    } finally {
      await server.stop();
    }
  }
  if (API) for (const db of API_DBS) report.api.push(await benchApi(db));

  const dir = path.join(HERE, "results");
  mkdirSync(dir, { recursive: true });
  if (SECTIONS.includes("scheduler")) {
    const scheduler = await benchScheduler(now);
    const schedulerFile = path.join(dir, `${started.toISOString().slice(0, 10)}-${os.hostname()}-scheduler-${SCHEDULER_SERVER}.json`);
    writeFileSync(schedulerFile, JSON.stringify(scheduler, null, 2) + "\n");
    log(`wrote ${path.relative(ROOT, schedulerFile)}`);
    if (process.env.BENCH_NO_DOCS !== "1") updateSchedulerDocs(path.join(ROOT, "docs", "benchmarks.md"), scheduler, path.relative(ROOT, schedulerFile));
  }
  // A scheduler-only run leaves the import and API results as they are.
  if (report.sync.length === 0 && report.api.length === 0) return;
  const file = path.join(dir, `${started.toISOString().slice(0, 10)}-${os.hostname()}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2) + "\n");
  log(`wrote ${path.relative(ROOT, file)}`);
  if (process.env.BENCH_NO_DOCS !== "1") {
    updateDocs(path.join(ROOT, "docs", "benchmarks.md"), report, path.relative(ROOT, file));
    log("updated docs/benchmarks.md");
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
