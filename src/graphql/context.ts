import type { Logger } from "../logger.js";
import type { Loaders } from "./loaders.js";
import type { TokenBucketLimiter } from "./rate-limit.js";
import type { Services } from "../services.js";
import type { User } from "../users/service.js";

/** Built per request after the bearer token was checked: every resolver acts as `user`. */
export interface GraphQLContext {
  user: User;
  services: Services;
  requestId: string;
  log: Logger;
  /** Per-request batching of fields asked for on every item of a list. */
  loaders: Loaders;
  /** This instance's per-user limits on calls that reach CalDAV servers. */
  rateLimiter: TokenBucketLimiter;
}

/**
 * A request's context. Its logger is made when first used (most requests log nothing): a getter on
 * the prototype stays lazy when Apollo copies the context's own properties.
 */
export class RequestContext implements GraphQLContext {
  private requestLog: Logger | undefined;

  constructor(
    readonly user: User,
    readonly services: Services,
    readonly requestId: string,
    private readonly baseLog: Logger,
    readonly loaders: Loaders,
    readonly rateLimiter: TokenBucketLimiter,
  ) {}

  get log(): Logger {
    return (this.requestLog ??= this.baseLog.child({ requestId: this.requestId, userId: this.user.id }));
  }
}
