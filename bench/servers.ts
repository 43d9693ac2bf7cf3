/**
 * Real CalDAV servers for the benchmark, started with the test scripts (test/servers/<kind>.sh) on
 * a free loopback port, and loaded by writing .ics files straight into their storage (PUT is O(N²)
 * on Radicale and Xandikos; see shared notes). Loading is not timed.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, chmodSync, writeFileSync, readdirSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { request } from "undici";
import type { GeneratedObject } from "./generate.js";
import { freePort } from "../test/servers/harness.js";

export type BenchServerKind = "radicale" | "xandikos";

export interface BenchServer {
  kind: BenchServerKind;
  version: string;
  baseUrl: string;
  calendarUrl: string;
  username: string;
  password: string;
  stateDir: string;
  /** folder holding one .ics file per calendar object */
  collectionDir: string;
  pid(): number | null;
  /** writes (or overwrites) objects in storage; Xandikos: also commits them */
  write(objects: GeneratedObject[]): void;
  /** removes every object from storage */
  clear(): void;
  stop(): Promise<void>;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCRIPTS = path.join(HERE, "..", "test", "servers");


function runScript(kind: BenchServerKind, action: "start" | "stop", env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("/bin/bash", [path.join(SCRIPTS, `${kind}.sh`), action], { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      // the daemon keeps the pipe open: do not wait for close
      child.stderr.destroy();
      if (code === 0) resolve();
      else reject(new Error(`${kind}.sh ${action} exited ${code}: ${err.slice(-1000)}`));
    });
  });
}

function versionOf(kind: BenchServerKind): string {
  try {
    const out = execFileSync("dpkg-query", ["-W", "-f=${Version}", kind], { encoding: "utf8" });
    return `${kind} ${out.trim()}`;
  } catch {
    return kind;
  }
}

export async function startBenchServer(kind: BenchServerKind): Promise<BenchServer> {
  const stateDir = mkdtempSync(path.join(tmpdir(), `bench-${kind}-`));
  chmodSync(stateDir, 0o755);
  const port = await freePort();
  const env = { PORT: String(port), ST: stateDir };
  await runScript(kind, "start", env);
  const origin = `http://127.0.0.1:${port}`;
  const calendarPath = kind === "radicale" ? "/alice/calendar/" : "/alice/calendars/calendar/";
  const collectionDir = kind === "radicale" ? path.join(stateDir, "collections", "collection-root", "alice", "calendar") : path.join(stateDir, "data", "alice", "calendars", "calendar");
  const git = gitIn(collectionDir);
  return {
    kind,
    version: versionOf(kind),
    baseUrl: `${origin}/`,
    calendarUrl: origin + calendarPath,
    username: "alice",
    password: "secret",
    stateDir,
    collectionDir,
    pid() {
      try {
        return Number(readFileSync(path.join(stateDir, "pid"), "utf8").trim()) || null;
      } catch {
        return null;
      }
    },
    write: (objects) => writeObjects(kind, collectionDir, objects),
    clear() {
      for (const f of readdirSync(collectionDir)) if (f.endsWith(".ics")) unlinkSync(path.join(collectionDir, f));
      if (kind === "xandikos") {
        git("add", "-A", ".");
        git("commit", "-q", "--allow-empty", "-m", "bench: clear");
      }
    },
    stop: () => runScript(kind, "stop", env),
  };
}

function gitIn(dir: string) {
  return (...args: string[]) => execFileSync("git", ["-C", dir, "-c", "user.name=bench", "-c", "user.email=bench@localhost", ...args], { stdio: ["ignore", "ignore", "pipe"], maxBuffer: 64 * 1024 * 1024 });
}

/** Writes (or overwrites) objects straight into a server's storage; Xandikos: and commits them. */
export function writeObjects(kind: BenchServerKind, collectionDir: string, objects: GeneratedObject[]): void {
  for (const o of objects) writeFileSync(path.join(collectionDir, o.name), o.ics);
  if (kind === "xandikos") {
    const git = gitIn(collectionDir);
    git("add", "-A", ".");
    git("commit", "-q", "-m", `bench: ${objects.length} objects`);
  }
}

export function authHeader(server: BenchServer): string {
  return `Basic ${Buffer.from(`${server.username}:${server.password}`).toString("base64")}`;
}

const FULL_DATA_QUERY = `<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter></C:filter>
</C:calendar-query>`;

const ETAG_QUERY = `<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter></C:filter>
</C:calendar-query>`;

/**
 * The floor: one plain calendar-query REPORT downloading every object's data, body read to the
 * end and not parsed. Returns wall time and bytes.
 */
export async function downloadAll(server: BenchServer): Promise<{ ms: number; bytes: number; status: number }> {
  const started = performance.now();
  const res = await request(server.calendarUrl, {
    method: "REPORT",
    headers: { authorization: authHeader(server), depth: "1", "content-type": "application/xml; charset=utf-8" },
    body: FULL_DATA_QUERY,
    headersTimeout: 600_000,
    bodyTimeout: 600_000,
  });
  let bytes = 0;
  for await (const chunk of res.body) bytes += (chunk as Buffer).length;
  return { ms: performance.now() - started, bytes, status: res.statusCode };
}

/** Makes the server parse and cache everything (Radicale: first REPORT after writing files is slow). */
export async function warmUp(server: BenchServer): Promise<void> {
  await downloadAll(server);
  const res = await request(server.calendarUrl, {
    method: "REPORT",
    headers: { authorization: authHeader(server), depth: "1", "content-type": "application/xml; charset=utf-8" },
    body: ETAG_QUERY,
    headersTimeout: 600_000,
    bodyTimeout: 600_000,
  });
  await res.body.text();
  const state = await request(server.calendarUrl, {
    method: "PROPFIND",
    headers: { authorization: authHeader(server), depth: "0", "content-type": "application/xml; charset=utf-8" },
    body: `<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/"><D:prop><CS:getctag/><D:sync-token/></D:prop></D:propfind>`,
  });
  await state.body.text();
}

/** Resident set size of a process in bytes (Linux /proc), or null. Includes its children when asked. */
export function rssOf(pid: number | null, withChildren = false): number | null {
  if (!pid) return null;
  const one = (p: number): number => {
    try {
      const status = readFileSync(`/proc/${p}/status`, "utf8");
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? "0");
      return kb * 1024;
    } catch {
      return 0;
    }
  };
  let total = one(pid);
  if (withChildren) {
    try {
      for (const child of readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean)) total += rssOf(Number(child), true) ?? 0;
    } catch {
      /* no children file */
    }
  }
  return total || null;
}
