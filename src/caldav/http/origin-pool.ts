import { Pool } from "undici";
import { guardedLookup, type AddressPolicy, type Resolver } from "./address-guard.js";

/** Requests one instance keeps in flight at one origin unless configured otherwise (CALDAV_MAX_REQUESTS_PER_ORIGIN). */
export const DEFAULT_MAX_REQUESTS_PER_ORIGIN = 4;

export interface OriginPoolOptions {
  addressPolicy: AddressPolicy;
  /** injectable DNS resolver (tests) */
  lookup?: Resolver;
  /** connect, headers and body timeout of each connection */
  timeoutMs: number;
  maxRequestsPerOrigin: number;
}

/**
 * The connections to CalDAV servers, shared by every client that is given the same pool (one per
 * process, src/integrations/caldav-access.ts). Syncs of different integrations on one server reuse
 * its keep-alive connections: one undici Pool per origin and TLS setting. Credentials are no part
 * of a connection: every request carries its own Authorization header (Basic and Digest are
 * per-request schemes, RFC 7617 and RFC 7616), and the client keeps its auth state to itself.
 *
 * An origin never has more than `maxRequestsPerOrigin` requests of this pool in flight, whatever
 * their TLS setting: a small server (Radicale listens with a backlog of 5 and handles a
 * connection at a time) is not overrun when many of its users' syncs fall due together.
 */
export class OriginPool {
  private readonly dispatchers = new Map<string, Pool>();
  private readonly slots = new Map<string, RequestSlots>();
  private readonly lookup: ReturnType<typeof guardedLookup>;

  constructor(readonly options: OriginPoolOptions) {
    if (!(options.maxRequestsPerOrigin >= 1)) throw new RangeError("maxRequestsPerOrigin must be at least 1");
    this.lookup = guardedLookup(options.addressPolicy, options.lookup);
  }

  /** The dispatcher for an origin with a TLS setting; connections it opens are checked by the address guard. */
  dispatcher(origin: string, verifyTls: boolean): Pool {
    const key = `${verifyTls ? "verify" : "no-verify"} ${origin}`;
    let pool = this.dispatchers.get(key);
    if (!pool) {
      pool = new Pool(origin, {
        // A freed request slot may be taken before undici sees the last answer's connection idle:
        // without this bound it would open another one, and the server would see more connections than requests.
        connections: this.options.maxRequestsPerOrigin,
        connect: {
          rejectUnauthorized: verifyTls,
          // checked on the socket's own resolution: no TOCTOU between guard and connect
          lookup: this.lookup as never,
          timeout: this.options.timeoutMs,
        },
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      });
      this.dispatchers.set(key, pool);
    }
    return pool;
  }

  /** Waits for a request slot at the origin; the returned function frees it (call it once the answer is read). */
  async acquire(origin: string): Promise<() => void> {
    let slots = this.slots.get(origin);
    if (!slots) {
      slots = new RequestSlots(this.options.maxRequestsPerOrigin);
      this.slots.set(origin, slots);
    }
    await slots.take();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      slots.give();
      if (slots.idle) this.slots.delete(origin);
    };
  }

  async close(): Promise<void> {
    const pools = [...this.dispatchers.values()];
    this.dispatchers.clear();
    await Promise.all(pools.map((pool) => pool.close()));
  }
}

/** A counting semaphore, first come first served. */
class RequestSlots {
  private inUse = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  get idle(): boolean {
    return this.inUse === 0 && this.waiting.length === 0;
  }

  take(): Promise<void> {
    if (this.inUse < this.size) {
      this.inUse++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  give(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter: inUse stays the same.
    if (next) next();
    else this.inUse--;
  }
}
