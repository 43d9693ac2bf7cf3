import { and, eq, isNull } from "drizzle-orm";
import { generateToken, hashToken } from "../auth/tokens.js";
import type { Db } from "../db/client.js";
import { apiTokens, users } from "../db/schema.js";
import { AppError, notFound } from "../errors.js";
import { TokenCache } from "./token-cache.js";
import { NAME_MAX_LENGTH, validateEmail, validateText, validateTimezone } from "./validation.js";

export type User = typeof users.$inferSelect;
export type ApiToken = Omit<typeof apiTokens.$inferSelect, "tokenHash">;

export interface CreateUserInput {
  email: string;
  name?: string | null;
  timezone?: string;
}

/** Touching last_used_at on every request would be a write per request; once a minute is enough. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * How long a checked token is trusted without asking the database again. Revoking through this
 * service takes effect at once; a revocation by another process (the CLI, another instance) within
 * this time.
 */
export const AUTH_CACHE_TTL_MS = 1_000;
const AUTH_CACHE_MAX_ENTRIES = 10_000;

export class UserService {
  private readonly tokens: TokenCache<User>;

  constructor(
    private readonly db: Db,
    options: { authCacheTtlMs?: number } = {},
  ) {
    this.tokens = new TokenCache(options.authCacheTtlMs ?? AUTH_CACHE_TTL_MS, AUTH_CACHE_MAX_ENTRIES);
  }

  async create(input: CreateUserInput): Promise<User> {
    const email = validateEmail("email", input.email);
    const name = input.name == null ? null : validateText("name", input.name, NAME_MAX_LENGTH, false) || null;
    const timezone = validateTimezone("timezone", input.timezone ?? "UTC");
    const [user] = await this.db.insert(users).values({ email, name, timezone }).onConflictDoNothing().returning();
    if (!user) throw new AppError("CONFLICT", `A user with e-mail ${email} already exists`);
    return user;
  }

  /** The user's e-mail address, or null for an unknown id. */
  async emailOf(userId: string): Promise<string | null> {
    const [user] = await this.db.select({ email: users.email }).from(users).where(eq(users.id, userId));
    return user?.email ?? null;
  }

  async findByEmail(email: string): Promise<User | null> {
    const [user] = await this.db.select().from(users).where(eq(users.email, email.trim().toLowerCase()));
    return user ?? null;
  }

  async count(): Promise<number> {
    return this.db.$count(users);
  }

  /** Returns the secret once; only its hash is stored. */
  async createToken(userId: string, name: string): Promise<{ token: string; record: ApiToken }> {
    const { token, prefix, hash } = generateToken();
    const [row] = await this.db
      .insert(apiTokens)
      .values({ userId, name: validateText("name", name, NAME_MAX_LENGTH), prefix, tokenHash: hash })
      .returning();
    if (!row) throw new Error("token insert returned nothing");
    const { tokenHash: _hash, ...record } = row;
    return { token, record };
  }

  /** Revokes by the shown prefix or the whole token; scoped to the user when one is given. */
  async revokeToken(prefixOrToken: string, userId?: string): Promise<ApiToken> {
    const match = prefixOrToken.startsWith("tt_") && prefixOrToken.length > 20
      ? eq(apiTokens.tokenHash, hashToken(prefixOrToken))
      : eq(apiTokens.prefix, prefixOrToken);
    const candidates = await this.db
      .select({ id: apiTokens.id })
      .from(apiTokens)
      .where(and(match, isNull(apiTokens.revokedAt), userId ? eq(apiTokens.userId, userId) : undefined));
    if (candidates.length === 0) throw notFound("Active token");
    if (candidates.length > 1) {
      throw new AppError("CONFLICT", "Several active tokens share this prefix: give the whole token");
    }
    const [row] = await this.db
      .update(apiTokens)
      .set({ revokedAt: new Date() })
      .where(eq(apiTokens.id, candidates[0]!.id))
      .returning();
    this.tokens.clear();
    const { tokenHash: _hash, ...record } = row!;
    return record;
  }

  /** The user a bearer token belongs to, or null for unknown and revoked tokens. */
  async authenticate(token: string, now = new Date()): Promise<User | null> {
    const hash = hashToken(token);
    const found = await this.tokens.get(hash, now.getTime(), async () => {
      const [row] = await this.db
        .select({ user: users, tokenId: apiTokens.id, lastUsedAt: apiTokens.lastUsedAt })
        .from(apiTokens)
        .innerJoin(users, eq(users.id, apiTokens.userId))
        .where(and(eq(apiTokens.tokenHash, hash), isNull(apiTokens.revokedAt)));
      // Shared by every request of this token while cached.
      return row ? { user: Object.freeze(row.user), tokenId: row.tokenId, lastUsedAt: row.lastUsedAt } : null;
    });
    if (!found) return null;
    if (!found.lastUsedAt || now.getTime() - found.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      found.lastUsedAt = now;
      await this.db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, found.tokenId));
    }
    return found.user;
  }
}
