import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { createHttpServer, type AppDeps, type HttpServer } from "../../src/http/app.js";
import type { RequestInfo, Resolver } from "../../src/caldav/index.js";
import type { ScryptParameters } from "../../src/auth/passwords.js";
import type { RateLimitSettings } from "../../src/graphql/rate-limit.js";
import { createCalDAVAccess } from "../../src/integrations/caldav-access.js";
import { CredentialCipher } from "../../src/integrations/credentials.js";
import { createLogger, type Logger } from "../../src/logger.js";
import { createServices, type Services } from "../../src/services.js";
import { openTestDatabase, type TestDatabase } from "./database.js";

// `any` by default: response shapes differ per query and tests assert on them field by field.
export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: { code?: string; field?: string; [k: string]: unknown } }[];
}

export interface TestApi {
  url: string;
  database: TestDatabase;
  services: Services;
  /** Sends one GraphQL request over real HTTP. */
  graphql<T = Record<string, any>>(token: string | null, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** Creates a user directly through the service layer and returns a fresh token. */
  createUser(email: string, timezone?: string): Promise<{ id: string; token: string }>;
  close(): Promise<void>;
}

export interface TestApiOptions {
  log?: Logger;
  config?: Partial<AppDeps["config"]>;
  /** Per-user rate limits of syncNow/testConnection/discoverCalendars; default off in tests. */
  rateLimit?: RateLimitSettings | null;
  /** Password hashing cost (default OWASP's, ~0.5 s a hash here): lower it where a test signs in often. */
  passwordHashing?: ScryptParameters;
  /** Failed sign-ins per account and per address; default the server's. */
  signInRateLimit?: RateLimitSettings;
  /** CalDAV network policy and client timeout (defaults: private networks allowed, 10 s). */
  caldav?: { allowPrivateNetworks?: boolean; timeoutMs?: number; lookup?: Resolver; onRequest?: (info: RequestInfo) => void };
  /** The credentials cipher (default: a random key). */
  cipher?: CredentialCipher;
  /** /metrics on the API port, for METRICS_TOKEN (default: not served). */
  metrics?: AppDeps["metrics"];
  /** The built web app served at / (default: this checkout's dist/web). */
  webAppDir?: string;
}

export async function startTestApi(options: TestApiOptions = {}): Promise<TestApi> {
  const database = await openTestDatabase();
  const log = options.log ?? createLogger("silent");
  const services = createServices(database.db, {
    cipher: options.cipher ?? new CredentialCipher(randomBytes(32)),
    // Test servers run on loopback; timeouts short so a broken server fails a test quickly.
    caldav: createCalDAVAccess(
      { caldavAllowPrivateNetworks: options.caldav?.allowPrivateNetworks ?? true, caldavTimeoutMs: options.caldav?.timeoutMs ?? 10_000 },
      { lookup: options.caldav?.lookup, onRequest: options.caldav?.onRequest },
    ),
    log,
    passwordHashing: options.passwordHashing,
  });
  const http: HttpServer = await createHttpServer({
    config: { graphqlMaxDepth: 10, graphqlMaxComplexity: 10_000, requestBodyLimitBytes: 1_048_576, ...options.config },
    database,
    services,
    log,
    rateLimit: options.rateLimit ?? undefined,
    metrics: options.metrics,
    signInRateLimit: options.signInRateLimit,
    webAppDir: options.webAppDir,
  });
  await new Promise<void>((resolve) => http.server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(http.server.address() as AddressInfo).port}`;
  return {
    url,
    database,
    services,
    async graphql(token, query, variables) {
      const response = await fetch(`${url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, ...((await response.json()) as object) };
    },
    async createUser(email, timezone = "UTC") {
      const user = await services.users.create({ email, timezone });
      const { token } = await services.users.createToken(user.id, "test");
      return { id: user.id, token };
    },
    async close() {
      await http.stop();
      await database.close();
    },
  };
}
