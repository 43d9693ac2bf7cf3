import type { RequestSite } from "../http/session-cookie.js";
import type { Logger } from "../logger.js";
import type { Loaders } from "./loaders.js";
import type { TokenBucketLimiter } from "./rate-limit.js";
import type { Services } from "../services.js";
import type { User } from "../users/service.js";
import { AppError } from "../errors.js";

/** How the caller proved who they are; "none" reaches only the fields open to everyone (signIn). */
export interface RequestAuth {
  via: "token" | "session" | "none";
  /** The browser session the request came with, when via is "session". */
  sessionId: string | null;
}

/** What resolvers may know and do of the HTTP exchange, for sign-in. */
export interface HttpExchange {
  /** For per-address limits on failed sign-ins. */
  clientAddress: string;
  userAgent: string | null;
  site: RequestSite;
  /** Sets the session cookie on the response, or with null removes it. */
  setSessionCookie(secret: string | null): void;
}

/** Built per request after the credentials were checked: every resolver acts as `user`. */
export interface GraphQLContext {
  user: User;
  auth: RequestAuth;
  exchange: HttpExchange;
  services: Services;
  requestId: string;
  log: Logger;
  /** Per-request batching of fields asked for on every item of a list. */
  loaders: Loaders;
  /** This instance's per-user limits on calls that reach CalDAV servers. */
  rateLimiter: TokenBucketLimiter;
  /** This instance's limits on sign-in attempts, per account and per address. */
  signInLimiter: TokenBucketLimiter;
}

export interface RequestContextParts extends Omit<GraphQLContext, "user"> {
  /** null: nobody signed in (auth.via "none"). */
  user: User | null;
}

/**
 * A request's context. Its logger is made when first used (most requests log nothing): a getter on
 * the prototype stays lazy when Apollo copies the context's own properties.
 */
export class RequestContext implements GraphQLContext {
  private requestLog: Logger | undefined;
  readonly auth: RequestAuth;
  readonly exchange: HttpExchange;
  readonly services: Services;
  readonly requestId: string;
  readonly loaders: Loaders;
  readonly rateLimiter: TokenBucketLimiter;
  readonly signInLimiter: TokenBucketLimiter;
  private readonly caller: User | null;
  private readonly baseLog: Logger;

  constructor(parts: RequestContextParts) {
    this.caller = parts.user;
    this.auth = parts.auth;
    this.exchange = parts.exchange;
    this.services = parts.services;
    this.requestId = parts.requestId;
    this.baseLog = parts.log;
    this.loaders = parts.loaders;
    this.rateLimiter = parts.rateLimiter;
    this.signInLimiter = parts.signInLimiter;
  }

  /** The signed-in user. requireSignInPlugin lets no anonymous request reach a field that asks. */
  get user(): User {
    if (!this.caller) throw new AppError("UNAUTHENTICATED", SIGN_IN_REQUIRED);
    return this.caller;
  }

  get log(): Logger {
    return (this.requestLog ??= this.baseLog.child({ requestId: this.requestId, ...(this.caller ? { userId: this.caller.id } : {}) }));
  }
}

export const SIGN_IN_REQUIRED = "Sign in, or send an API token as Authorization: Bearer <token>.";
