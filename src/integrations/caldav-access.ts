import { CalDAVHttpClient, type RequestInfo, type Resolver } from "../caldav/index.js";
import type { Config } from "../config.js";

export interface CalDAVCredentials {
  username: string;
  password: string;
  verifyTls: boolean;
}

/**
 * How the domain layer gets a CalDAV client: one per integration and task, with the process's
 * network policy applied. Tests inject a resolver; metrics hook into `onRequest`.
 */
export interface CalDAVAccess {
  connect(credentials: CalDAVCredentials): CalDAVHttpClient;
}

export function createCalDAVAccess(
  config: Pick<Config, "caldavAllowPrivateNetworks" | "caldavTimeoutMs">,
  hooks: { lookup?: Resolver; onRequest?: (info: RequestInfo) => void } = {},
): CalDAVAccess {
  return {
    connect: ({ username, password, verifyTls }) =>
      new CalDAVHttpClient({
        username,
        password,
        verifyTls,
        timeoutMs: config.caldavTimeoutMs,
        addressPolicy: { allowPrivateNetworks: config.caldavAllowPrivateNetworks },
        lookup: hooks.lookup,
        onRequest: hooks.onRequest,
      }),
  };
}
