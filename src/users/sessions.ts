/**
 * Browser sessions, stored server-side so that each can be listed and revoked. The cookie holds a
 * 256-bit random secret; the table holds its SHA-256 only, like API tokens.
 */
import { and, desc, eq, getTableColumns, gt, isNull, lte, ne, sql } from "drizzle-orm";
import { generateToken, hashToken, SESSION_PREFIX } from "../auth/tokens.js";
import type { Db } from "../db/client.js";
import { sessions, users } from "../db/schema.js";
import { notFound } from "../errors.js";
import { TokenCache } from "./token-cache.js";
import { userColumns, type User } from "./user.js";

export type Session = Omit<typeof sessions.$inferSelect, "tokenHash">;

/** A session unused this long ends; each use pushes its end this far ahead again. */
export const SESSION_IDLE_MS = 14 * 24 * 3600_000;
/** However busy, a session ends this long after sign-in: the person signs in again. */
export const SESSION_MAX_AGE_MS = 30 * 24 * 3600_000;
/** Renewing on every request would be a write per request; once a minute is enough. */
const RENEW_RESOLUTION_MS = 60_000;
const USER_AGENT_MAX_LENGTH = 200;

export class SessionStore {
  private readonly cache: TokenCache<User>;

  constructor(
    private readonly db: Db,
    cacheTtlMs: number,
    cacheMaxEntries: number,
  ) {
    this.cache = new TokenCache(cacheTtlMs, cacheMaxEntries);
  }

  /** Returns the cookie's secret once; only its hash is stored. */
  async create(userId: string, userAgent: string | null, now = new Date()): Promise<{ secret: string; session: Session }> {
    const { token, prefix, hash } = generateToken(SESSION_PREFIX);
    // Expired sessions are no use to anyone: each sign-in sweeps its user's.
    await this.db.delete(sessions).where(and(eq(sessions.userId, userId), lte(sessions.expiresAt, now)));
    const [row] = await this.db
      .insert(sessions)
      .values({
        userId,
        tokenHash: hash,
        prefix,
        userAgent: userAgent?.replaceAll("\u0000", "").slice(0, USER_AGENT_MAX_LENGTH) || null,
        createdAt: now,
        lastUsedAt: now,
        expiresAt: new Date(now.getTime() + SESSION_IDLE_MS),
      })
      .returning();
    const { tokenHash: _hash, ...session } = row!;
    return { secret: token, session };
  }

  /** The user and session of a cookie's secret; null when unknown, expired, or the user is disabled. */
  async authenticate(secret: string, now = new Date()): Promise<{ user: User; sessionId: string } | null> {
    const hash = hashToken(secret);
    const found = await this.cache.get(hash, now.getTime(), async () => {
      const [row] = await this.db
        .select({ user: userColumns, tokenId: sessions.id, lastUsedAt: sessions.lastUsedAt })
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(and(eq(sessions.tokenHash, hash), gt(sessions.expiresAt, now), isNull(users.disabledAt)));
      return row ? { user: Object.freeze(row.user), tokenId: row.tokenId, lastUsedAt: row.lastUsedAt } : null;
    });
    if (!found) return null;
    if (!found.lastUsedAt || now.getTime() - found.lastUsedAt.getTime() > RENEW_RESOLUTION_MS) {
      found.lastUsedAt = now;
      // Sliding renewal, capped by the absolute lifetime. An ISO string: postgres.js takes no Date in raw SQL.
      await this.db
        .update(sessions)
        .set({
          lastUsedAt: now,
          expiresAt: sql`least(${new Date(now.getTime() + SESSION_IDLE_MS).toISOString()}::timestamptz, ${sessions.createdAt} + ${`${SESSION_MAX_AGE_MS} milliseconds`}::interval)`,
        })
        .where(eq(sessions.id, found.tokenId));
    }
    return { user: found.user, sessionId: found.tokenId };
  }

  /** The user's sessions that have not expired, most recently used first. */
  list(userId: string, now = new Date()): Promise<Session[]> {
    const { tokenHash: _hash, ...columns } = getTableColumns(sessions);
    return this.db
      .select(columns)
      .from(sessions)
      .where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, now)))
      .orderBy(desc(sessions.lastUsedAt), desc(sessions.id));
  }

  /** Ends one of the user's sessions at once. */
  async revoke(userId: string, id: string): Promise<void> {
    const deleted = await this.db
      .delete(sessions)
      .where(and(eq(sessions.userId, userId), eq(sessions.id, id)))
      .returning({ id: sessions.id });
    if (deleted.length === 0) throw notFound("Session");
    this.cache.clear();
  }

  /** Ends every session of the user except `keep` (the one changing the password). */
  async revokeAll(userId: string, keep?: string): Promise<void> {
    await this.db.delete(sessions).where(and(eq(sessions.userId, userId), keep ? ne(sessions.id, keep) : undefined));
    this.cache.clear();
  }

  /** After a user changed (disabled, demoted, renamed): the next request of each browser asks the database. */
  forgetCached(): void {
    this.cache.clear();
  }
}
