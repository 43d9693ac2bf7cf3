/**
 * Starts real CalDAV servers on 127.0.0.1 for interop tests, using the scripts beside this file
 * (`<kind>.sh install|start|stop`, PORT= and ST= in the environment).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, chmodSync, readFileSync, readdirSync, statSync, writeFileSync, unlinkSync, openSync, closeSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, it } from "vitest";

export type ServerKind = "radicale" | "xandikos" | "davical" | "cyrus" | "sabredav";
export const ALL_SERVERS: ServerKind[] = ["radicale", "xandikos", "davical", "cyrus", "sabredav"];

export interface StartOptions {
  /** challenge with Digest: DAViCal opt-in; sabre/dav default (false → Basic-only backend) */
  digest?: boolean;
}

export interface CalDAVTestServer {
  kind: ServerKind;
  /** the "server base URL" a user would type */
  baseUrl: string;
  wellKnownUrl: string;
  principalUrl: string;
  homeUrl: string;
  /** the pre-created calendar (trailing slash) */
  calendarUrl: string;
  username: string;
  password: string;
  /** true when the server challenges with Digest (and Basic is refused or not preferred) */
  digest: boolean;
  stateDir: string;
  stop(): Promise<void>;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
const USER = "alice";
const PASSWORD = "secret";

interface Layout {
  binaries: string[];
  needsRoot: boolean;
  readyPath: string;
  base: string;
  principal: string;
  home: string;
  calendar: string;
  logs: string[];
}

const LAYOUT: Record<ServerKind, Layout> = {
  radicale: { binaries: ["/usr/bin/radicale"], needsRoot: false, readyPath: "/.well-known/caldav", base: "/", principal: "/alice/", home: "/alice/", calendar: "/alice/calendar/", logs: ["radicale.log"] },
  xandikos: { binaries: ["/usr/bin/xandikos", "/usr/bin/python3"], needsRoot: false, readyPath: "/health", base: "/", principal: "/alice/", home: "/alice/calendars/", calendar: "/alice/calendars/calendar/", logs: ["xandikos.log"] },
  davical: {
    binaries: ["/usr/share/davical/htdocs/caldav.php", "/usr/lib/postgresql/15/bin/initdb", "/usr/bin/php", "/usr/bin/psql"],
    needsRoot: true,
    readyPath: "/robots.txt",
    base: "/caldav.php/",
    principal: "/caldav.php/alice/",
    home: "/caldav.php/alice/",
    calendar: "/caldav.php/alice/calendar/",
    logs: ["php.log", "createdb.log", "pgdata/pg.log"],
  },
  cyrus: {
    binaries: ["/usr/lib/cyrus/bin/master", "/usr/lib/cyrus/bin/httpd", "/usr/sbin/saslpasswd2"],
    needsRoot: true,
    readyPath: "/",
    base: "/dav/",
    principal: "/dav/principals/user/alice/",
    home: "/dav/calendars/user/alice/",
    calendar: "/dav/calendars/user/alice/Default/",
    logs: ["master.log"],
  },
  sabredav: { binaries: ["/usr/share/php/Sabre/autoload.php", "/usr/bin/php"], needsRoot: false, readyPath: "/", base: "/", principal: "/principals/alice/", home: "/calendars/alice/", calendar: "/calendars/alice/calendar/", logs: ["php.log"] },
};

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

/** Why a server cannot run here, or null when it can. */
export function missingReason(kind: ServerKind): string | null {
  const l = LAYOUT[kind];
  const missing = l.binaries.filter((b) => !existsSync(b));
  if (missing.length) return `missing ${missing.join(", ")} (install: test/servers/${kind}.sh install)`;
  if (l.needsRoot && !isRoot()) return "needs root";
  if (!existsSync("/usr/bin/curl")) return "missing /usr/bin/curl (used by the start scripts)";
  return null;
}

export function isInstalled(kind: ServerKind): boolean {
  return missingReason(kind) === null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function runScript(kind: ServerKind, action: "start" | "stop", env: Record<string, string>, timeoutMs: number): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("/bin/bash", [path.join(HERE, `${kind}.sh`), action], {
      env: { ...process.env, ...env, PATH: `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin` },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      output += `\n[harness] ${kind}.sh ${action} timed out after ${timeoutMs} ms`;
      child.kill("SIGKILL");
    }, timeoutMs);
    // resolve on exit, not only on close: a daemon started by the script may keep the pipes open
    let done = false;
    const finish = (code: number | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ code: code ?? -1, output });
    };
    child.on("exit", (code) => setTimeout(() => finish(code), 100));
    child.on("close", finish);
  });
}

function logTail(stateDir: string, files: string[]): string {
  const parts: string[] = [];
  for (const f of files) {
    const p = path.join(stateDir, f);
    try {
      const lines = readFileSync(p, "utf8").split("\n");
      parts.push(`--- ${f} ---\n${lines.slice(-30).join("\n")}`);
    } catch {
      /* not written */
    }
  }
  return parts.join("\n");
}

async function waitReady(url: string, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const res = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer().catch(() => undefined);
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return false;
}

// --- DAViCal writes a global config file: one instance machine-wide at a time (file lock) ---
const DAVICAL_LOCK = path.join(tmpdir(), "caldav-test-davical.lock");

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function acquireDavicalLock(timeoutMs = 300_000): Promise<() => void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(DAVICAL_LOCK, "wx");
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(DAVICAL_LOCK, "utf8") === String(process.pid)) unlinkSync(DAVICAL_LOCK);
        } catch {
          /* gone */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const holder = Number(readFileSync(DAVICAL_LOCK, "utf8").trim() || "0");
      if (!holder || !pidAlive(holder)) {
        try {
          unlinkSync(DAVICAL_LOCK); // stale lock of a crashed run
        } catch {
          /* raced */
        }
        continue;
      }
      if (Date.now() > until) throw new Error(`DAViCal lock ${DAVICAL_LOCK} held by pid ${holder} for too long`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** Starts one server with its own free port(s) and state dir; throws with the log tail when it fails. */
export async function startCalDAVServer(kind: ServerKind, opts: StartOptions = {}): Promise<CalDAVTestServer> {
  const reason = missingReason(kind);
  if (reason) throw new Error(`${kind} cannot be started: ${reason}`);
  const l = LAYOUT[kind];
  const release = kind === "davical" ? await acquireDavicalLock() : () => {};
  const stateDir = mkdtempSync(path.join(tmpdir(), `caldav-${kind}-`));
  chmodSync(stateDir, 0o755); // postgres / cyrus must traverse it
  const port = await freePort();
  const env: Record<string, string> = { PORT: String(port), ST: stateDir };
  if (kind === "davical") env["PGPORT_"] = String(await freePort());
  if (kind === "cyrus") env["IMAPPORT"] = String(await freePort());
  const digest = kind === "sabredav" ? opts.digest !== false : kind === "davical" ? opts.digest === true : false;
  if (kind === "sabredav") env["SABRE_AUTH"] = digest ? "digest" : "basic";
  if (kind === "davical" && digest) env["DAVICAL_DIGEST"] = "1";
  const origin = `http://127.0.0.1:${port}`;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      await runScript(kind, "stop", env, 30_000);
    } finally {
      release();
    }
  };
  try {
    const started = await runScript(kind, "start", env, 90_000);
    const ready = started.code === 0 && (await waitReady(origin + l.readyPath, 15_000));
    if (!ready) {
      throw new Error(`${kind} did not start on ${origin} (exit ${started.code})\n${started.output.slice(-2000)}\n${logTail(stateDir, l.logs)}`);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    kind,
    baseUrl: origin + l.base,
    wellKnownUrl: `${origin}/.well-known/caldav`,
    principalUrl: origin + l.principal,
    homeUrl: origin + l.home,
    calendarUrl: origin + l.calendar,
    username: USER,
    password: PASSWORD,
    digest,
    stateDir,
    stop,
  };
}

export interface ServerSuiteContext {
  /** the running server (available inside tests and beforeAll hooks declared after this one) */
  server(): CalDAVTestServer;
}

/**
 * `describe` for one server. Not installed → locally a loud skip message; with CI set, a failing
 * test (never a silent skip).
 */
export function describeServer(kind: ServerKind, fn: (ctx: ServerSuiteContext) => void, opts: StartOptions = {}, title: string = kind): void {
  const reason = missingReason(kind);
  if (reason) {
    if (process.env["CI"]) {
      describe(title, () => {
        it(`${kind} must be available in CI`, () => {
          throw new Error(`CalDAV server ${kind} is required in CI but ${reason}`);
        });
      });
    } else {
      console.warn(`\n[caldav interop] SKIPPED ${title}: ${reason}\n`);
      describe.skip(title, () => fn({ server: () => { throw new Error("skipped"); } }));
    }
    return;
  }
  describe(title, () => {
    let srv: CalDAVTestServer | undefined;
    beforeAll(async () => {
      srv = await startCalDAVServer(kind, opts);
    }, 120_000);
    afterAll(async () => {
      await srv?.stop();
    }, 60_000);
    fn({
      server: () => {
        if (!srv) throw new Error(`${kind} is not running`);
        return srv;
      },
    });
  });
}

/** Leftover state dirs of killed runs (debug helper). */
export function leftoverStateDirs(): string[] {
  return readdirSync(tmpdir())
    .filter((n) => n.startsWith("caldav-"))
    .map((n) => path.join(tmpdir(), n))
    .filter((p) => statSync(p).isDirectory());
}
