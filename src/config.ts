import path from "node:path";
import { IANAZone } from "luxon";
import { DEFAULT_MAX_REQUESTS_PER_ORIGIN } from "./caldav/http/origin-pool.js";
import { DEFAULT_SYNC_CACHE_MB } from "./sync/object-cache.js";

/** api: GraphQL only; worker: scheduled syncs only; all: both (docs/operations.md). */
export type Role = "all" | "api" | "worker";

export interface Config {
  role: Role;
  /** Parallel scheduled syncs in this instance. */
  syncConcurrency: number;
  schedulerPollMs: number;
  /** Consecutive failed logins before scheduled syncs of an integration pause. */
  syncPauseAfterAuthFailures: number;
  /** The longest wait between scheduled syncs after repeated failures. */
  syncMaxBackoffMinutes: number;
  /** MiB of this process's sync caches (expansions and remembered syncs), in estimated bytes. */
  syncCacheMb: number;
  host: string;
  port: number;
  dataDir: string;
  /** postgres://… — when absent the embedded PGlite database under dataDir is used. */
  databaseUrl: string | null;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** text: lines for a person; json: one JSON object a line; auto: text on a terminal, else json. */
  logFormat: "auto" | "json" | "text";
  /** Base64 AES-256 key for credentials at rest; null → key file in dataDir (embedded setups). */
  credentialsKey: string | null;
  /** Allow CalDAV servers on loopback and private networks (docs/security.md). */
  caldavAllowPrivateNetworks: boolean;
  caldavTimeoutMs: number;
  /** Requests this instance keeps in flight at one CalDAV server (scheme, host and port) at most. */
  caldavMaxRequestsPerOrigin: number;
  graphqlMaxDepth: number;
  graphqlMaxComplexity: number;
  requestBodyLimitBytes: number;
  shutdownGraceMs: number;
  defaultTimezone: string;
  /** Older credentials keys (base64), still accepted for decryption during a key rotation. */
  credentialsPreviousKeys: string[];
  /** Per-user, per-instance limit on syncNow, testConnection and discoverCalendars; 0 turns it off. */
  rateLimitPerMinute: number;
  /** How many of those requests a user may make at once before the per-minute rate applies. */
  rateLimitBurst: number;
  /** Bearer token that may read /metrics on the API port; null: /metrics is not served there. */
  metricsToken: string | null;
  /** A second port, on 127.0.0.1 only, serving /metrics without a token; null: none. */
  metricsPort: number | null;
  /** Behind a reverse proxy: trust its X-Forwarded-Proto/-Host/-For (secure cookies, sign-in limits). */
  trustProxy: boolean;
}

/** Long enough that guessing it is hopeless, as `openssl rand -hex 32` makes it. */
const METRICS_TOKEN_MIN_LENGTH = 32;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

/** Reads every setting from the environment and reports all bad values at once. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];

  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = env[name]?.toLowerCase();
    if (raw === undefined || raw === "") return fallback;
    if (["1", "true", "yes", "on"].includes(raw)) return true;
    if (["0", "false", "no", "off"].includes(raw)) return false;
    problems.push(`${name} must be true or false (got "${env[name]}")`);
    return fallback;
  };

  const roles = ["all", "api", "worker"] as const;
  const role = (env.ROLE || "all") as Role;
  if (!roles.includes(role)) problems.push(`ROLE must be one of ${roles.join(", ")} (got "${env.ROLE}")`);

  const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
  const logLevel = (env.LOG_LEVEL ?? "info") as Config["logLevel"];
  if (!logLevels.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${logLevels.join(", ")} (got "${env.LOG_LEVEL}")`);

  const logFormats = ["auto", "json", "text"] as const;
  const logFormat = (env.LOG_FORMAT || "auto") as Config["logFormat"];
  if (!logFormats.includes(logFormat)) problems.push(`LOG_FORMAT must be one of ${logFormats.join(", ")} (got "${env.LOG_FORMAT}")`);

  const databaseUrl = env.DATABASE_URL || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push("DATABASE_URL must start with postgres:// or postgresql://");
  }

  const credentialsKey = env.CREDENTIALS_KEY || null;
  if (credentialsKey && Buffer.from(credentialsKey, "base64").length !== 32) {
    problems.push("CREDENTIALS_KEY must be 32 random bytes in base64 (openssl rand -base64 32)");
  }

  // The machine's zone when unset (Intl reads TZ and /etc/localtime), so a first user is not in UTC by accident.
  const machineZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const defaultTimezone = env.DEFAULT_TIMEZONE || (IANAZone.isValidZone(machineZone) ? machineZone : "UTC");
  if (!IANAZone.isValidZone(defaultTimezone)) problems.push(`DEFAULT_TIMEZONE must be an IANA time zone (got "${defaultTimezone}")`);

  const credentialsPreviousKeys = (env.CREDENTIALS_PREVIOUS_KEYS ?? "")
    .split(",")
    .map((k) => k.trim())
    .filter((k) => k !== "");
  if (credentialsPreviousKeys.some((k) => Buffer.from(k, "base64").length !== 32)) {
    problems.push("CREDENTIALS_PREVIOUS_KEYS must be a comma-separated list of 32-byte base64 keys");
  }

  const metricsToken = env.METRICS_TOKEN || null;
  if (metricsToken && (metricsToken.length < METRICS_TOKEN_MIN_LENGTH || /\s/.test(metricsToken))) {
    problems.push(`METRICS_TOKEN must be at least ${METRICS_TOKEN_MIN_LENGTH} characters without spaces (openssl rand -hex 32)`);
  }

  const config: Config = {
    role,
    syncConcurrency: int("SYNC_CONCURRENCY", 4, 1, 256),
    schedulerPollMs: int("SCHEDULER_POLL_MS", 5_000, 100, 600_000),
    syncPauseAfterAuthFailures: int("SYNC_PAUSE_AFTER_AUTH_FAILURES", 3, 1, 1000),
    syncMaxBackoffMinutes: int("SYNC_MAX_BACKOFF_MINUTES", 24 * 60, 5, 30 * 24 * 60),
    syncCacheMb: int("SYNC_CACHE_MB", DEFAULT_SYNC_CACHE_MB, 1, 65_536),
    host: env.HOST || "127.0.0.1",
    port: int("PORT", 4000, 0, 65535),
    dataDir: path.resolve(env.DATA_DIR || "./data"),
    databaseUrl,
    logLevel,
    logFormat,
    credentialsKey,
    caldavAllowPrivateNetworks: bool("CALDAV_ALLOW_PRIVATE_NETWORKS", true),
    caldavTimeoutMs: int("CALDAV_TIMEOUT_MS", 30_000, 1_000, 600_000),
    caldavMaxRequestsPerOrigin: int("CALDAV_MAX_REQUESTS_PER_ORIGIN", DEFAULT_MAX_REQUESTS_PER_ORIGIN, 1, 256),
    graphqlMaxDepth: int("GRAPHQL_MAX_DEPTH", 10, 2, 100),
    graphqlMaxComplexity: int("GRAPHQL_MAX_COMPLEXITY", 10_000, 10, 1_000_000),
    requestBodyLimitBytes: int("REQUEST_BODY_LIMIT_BYTES", 1_048_576, 1_024, 104_857_600),
    shutdownGraceMs: int("SHUTDOWN_GRACE_MS", 30_000, 0, 3_600_000),
    defaultTimezone,
    credentialsPreviousKeys,
    rateLimitPerMinute: int("RATE_LIMIT_PER_MINUTE", 10, 0, 100_000),
    rateLimitBurst: int("RATE_LIMIT_BURST", 10, 1, 100_000),
    metricsToken,
    metricsPort: env.METRICS_PORT ? int("METRICS_PORT", 0, 0, 65535) : null,
    trustProxy: bool("TRUST_PROXY", false),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
