import { CalDAVHttpClient, DEFAULT_MAX_REQUESTS_PER_ORIGIN, OriginPool, type RequestInfo, type Resolver } from "../caldav/index.js";
import type { Config } from "../config.js";

export interface CalDAVCredentials {
  username: string;
  password: string;
  verifyTls: boolean;
  /** The server and calendar URLs the user configured: only their origins receive the password (default: the first request's). */
  configuredUrls?: readonly string[];
}

/**
 * How the domain layer gets a CalDAV client: one per integration and task, with the process's
 * network policy applied. All clients share one OriginPool: keep-alive connections per server and
 * a cap on concurrent requests per server. Tests inject a resolver; metrics hook into `onRequest`.
 */
export interface CalDAVAccess {
  connect(credentials: CalDAVCredentials): CalDAVHttpClient;
  /** Closes the shared connections, at shutdown once no sync runs any more. */
  close(): Promise<void>;
}

export function createCalDAVAccess(
  config: Pick<Config, "caldavAllowPrivateNetworks" | "caldavTimeoutMs"> & Partial<Pick<Config, "caldavMaxRequestsPerOrigin">>,
  hooks: { lookup?: Resolver; onRequest?: (info: RequestInfo) => void; retryBaseDelayMs?: number } = {},
): CalDAVAccess {
  const pool = new OriginPool({
    addressPolicy: { allowPrivateNetworks: config.caldavAllowPrivateNetworks },
    lookup: hooks.lookup,
    timeoutMs: config.caldavTimeoutMs,
    maxRequestsPerOrigin: config.caldavMaxRequestsPerOrigin ?? DEFAULT_MAX_REQUESTS_PER_ORIGIN,
  });
  return {
    connect: ({ username, password, verifyTls, configuredUrls }) =>
      new CalDAVHttpClient({
        username,
        password,
        verifyTls,
        ...(configuredUrls ? { credentialOrigins: configuredUrls } : {}),
        timeoutMs: config.caldavTimeoutMs,
        pool,
        onRequest: hooks.onRequest,
        retryBaseDelayMs: hooks.retryBaseDelayMs,
      }),
    close: () => pool.close(),
  };
}
