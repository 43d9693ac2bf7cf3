import { and, asc, count, desc, eq, getTableColumns, isNull } from "drizzle-orm";
import { hashPassword, OWASP_SCRYPT, PASSWORD_MAX_LENGTH, verifyPassword, type ScryptParameters } from "../auth/passwords.js";
import { API_TOKEN_PREFIX, generateToken, hashToken } from "../auth/tokens.js";
import type { Db } from "../db/client.js";
import { isUniqueViolation } from "../db/errors.js";
import { apiTokens, users } from "../db/schema.js";
import { AppError, notFound } from "../errors.js";
import { SessionStore } from "./sessions.js";
import { TokenCache } from "./token-cache.js";
import { userColumns, type User } from "./user.js";
import { isEmail, NAME_MAX_LENGTH, validateEmail, validatePassword, validateText, validateTimezone } from "./validation.js";

export type { User } from "./user.js";
export type ApiToken = Omit<typeof apiTokens.$inferSelect, "tokenHash">;

export interface CreateUserInput {
  email: string;
  name?: string | null;
  timezone?: string;
  /** An initial password the person changes later; none: API tokens only until one is set. */
  password?: string | null;
  isAdmin?: boolean;
}

/** For every field: undefined or null keeps the stored value. */
export interface UpdateProfileInput {
  name?: string | null;
  email?: string | null;
  timezone?: string | null;
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

const { tokenHash: _tokenHash, ...apiTokenColumns } = getTableColumns(apiTokens);

export class UserService {
  private readonly tokens: TokenCache<User>;
  readonly sessions: SessionStore;
  private readonly scrypt: ScryptParameters;
  /** A hash of a password nobody has, checked for unknown e-mails so they answer as slowly as wrong passwords. */
  private decoyHash: Promise<string> | null = null;

  constructor(
    private readonly db: Db,
    options: { authCacheTtlMs?: number; scrypt?: ScryptParameters } = {},
  ) {
    const ttl = options.authCacheTtlMs ?? AUTH_CACHE_TTL_MS;
    this.tokens = new TokenCache(ttl, AUTH_CACHE_MAX_ENTRIES);
    this.sessions = new SessionStore(db, ttl, AUTH_CACHE_MAX_ENTRIES);
    this.scrypt = options.scrypt ?? OWASP_SCRYPT;
  }

  async create(input: CreateUserInput): Promise<User> {
    const email = validateEmail("email", input.email);
    const name = input.name == null ? null : validateText("name", input.name, NAME_MAX_LENGTH, false) || null;
    const timezone = validateTimezone("timezone", input.timezone ?? "UTC");
    const passwordHash = input.password == null ? null : await hashPassword(validatePassword("password", input.password), this.scrypt);
    const [user] = await this.db
      .insert(users)
      .values({ email, name, timezone, passwordHash, isAdmin: input.isAdmin ?? false })
      .onConflictDoNothing()
      .returning(userColumns);
    if (!user) throw emailTaken();
    return user;
  }

  /** The user's e-mail address, or null for an unknown id. */
  async emailOf(userId: string): Promise<string | null> {
    const [user] = await this.db.select({ email: users.email }).from(users).where(eq(users.id, userId));
    return user?.email ?? null;
  }

  async findByEmail(email: string): Promise<User | null> {
    const [user] = await this.db.select(userColumns).from(users).where(eq(users.email, email.trim().toLowerCase()));
    return user ?? null;
  }

  async get(id: string): Promise<User> {
    const [user] = await this.db.select(userColumns).from(users).where(eq(users.id, id));
    if (!user) throw notFound("User");
    return user;
  }

  /** Every user, oldest first: for admins. */
  list(): Promise<User[]> {
    return this.db.select(userColumns).from(users).orderBy(asc(users.createdAt), asc(users.id));
  }

  /** Changes the caller's own name, e-mail or time zone; returns the user and the zone before. */
  async updateProfile(userId: string, input: UpdateProfileInput): Promise<{ user: User; previousTimezone: string }> {
    const current = await this.get(userId);
    const changes = {
      ...(input.name != null ? { name: validateText("name", input.name, NAME_MAX_LENGTH, false) || null } : {}),
      ...(input.email != null ? { email: validateEmail("email", input.email) } : {}),
      ...(input.timezone != null ? { timezone: validateTimezone("timezone", input.timezone) } : {}),
    };
    if (Object.keys(changes).length === 0) return { user: current, previousTimezone: current.timezone };
    // The unique constraint decides: a check before the write could race another sign-up.
    const [user] = await this.db
      .update(users)
      .set(changes)
      .where(eq(users.id, userId))
      .returning(userColumns)
      .catch((error: unknown) => {
        throw isUniqueViolation(error, "users_email_unique") ? emailTaken() : error;
      });
    this.forgetCachedUsers();
    return { user: user!, previousTimezone: current.timezone };
  }

  /**
   * Sets a password without knowing the old one: for admins (the CLI). Signs the user out
   * everywhere, as after a reset the old sessions may be someone else's.
   */
  async setPassword(userId: string, password: string): Promise<void> {
    await this.storePassword(userId, password);
    await this.sessions.revokeAll(userId);
  }

  /** The person's own change: needs the current password; ends their other sessions. */
  async changePassword(userId: string, currentPassword: string, newPassword: string, keepSessionId?: string): Promise<void> {
    const [row] = await this.db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, userId));
    const matches = row?.passwordHash ? await verifyPassword(currentPassword, row.passwordHash) : false;
    if (!matches) throw new AppError("BAD_USER_INPUT", "The current password is wrong: type it again.", "currentPassword");
    await this.storePassword(userId, newPassword);
    await this.sessions.revokeAll(userId, keepSessionId);
  }

  private async storePassword(userId: string, password: string): Promise<void> {
    const passwordHash = await hashPassword(validatePassword("password", password), this.scrypt);
    const updated = await this.db.update(users).set({ passwordHash }).where(eq(users.id, userId)).returning({ id: users.id });
    if (updated.length === 0) throw notFound("User");
  }

  /**
   * The user an e-mail and password belong to, or null: unknown e-mail, wrong password, no
   * password set and disabled user look the same, and take as long.
   */
  async verifyCredentials(email: string, password: string): Promise<User | null> {
    // No query for what cannot be an e-mail address (it may not even be storable text: NUL).
    const address = isEmail(email) ? email.trim().toLowerCase() : null;
    const [row] = address
      ? await this.db.select({ user: userColumns, passwordHash: users.passwordHash }).from(users).where(eq(users.email, address))
      : [];
    const stored = row?.passwordHash ?? (await (this.decoyHash ??= hashPassword(generateToken().token, this.scrypt)));
    const matches = password.length > 0 && (await verifyPassword(password.slice(0, PASSWORD_CHECK_LENGTH), stored));
    return matches && row?.passwordHash && !row.user.disabledAt ? row.user : null;
  }

  /** Grants or takes admin rights; the last admin cannot be demoted, so someone can always administer. */
  async setAdmin(userId: string, isAdmin: boolean): Promise<User> {
    return this.db.transaction(async (tx) => {
      const [user] = await tx.update(users).set({ isAdmin }).where(eq(users.id, userId)).returning(userColumns);
      if (!user) throw notFound("User");
      const [admins] = await tx.select({ n: count() }).from(users).where(and(eq(users.isAdmin, true), isNull(users.disabledAt)));
      if (admins!.n === 0) throw new AppError("CONFLICT", "This is the last admin: make another user an admin first.");
      this.forgetCachedUsers();
      return user;
    });
  }

  /** Disables a user: their tokens and sessions stop working at once. An admin cannot disable themself. */
  async disable(actorId: string, userId: string, now = new Date()): Promise<User> {
    if (actorId === userId) throw new AppError("CONFLICT", "You cannot disable yourself: ask another admin.");
    const [user] = await this.db
      .update(users)
      .set({ disabledAt: now })
      .where(and(eq(users.id, userId), isNull(users.disabledAt)))
      .returning(userColumns);
    const disabled = user ?? (await this.get(userId));
    await this.sessions.revokeAll(userId);
    this.forgetCachedUsers();
    return disabled;
  }

  async count(): Promise<number> {
    return this.db.$count(users);
  }

  /** The user's API tokens, revoked ones too, newest first. */
  listTokens(userId: string): Promise<ApiToken[]> {
    return this.db.select(apiTokenColumns).from(apiTokens).where(eq(apiTokens.userId, userId)).orderBy(desc(apiTokens.createdAt), desc(apiTokens.id));
  }

  /** Revokes a token by id: one of the user's, or with null anyone's (admins). Revoking again changes nothing. */
  async revokeTokenById(userId: string | null, id: string): Promise<ApiToken> {
    const [current] = await this.db
      .select(apiTokenColumns)
      .from(apiTokens)
      .where(and(eq(apiTokens.id, id), userId ? eq(apiTokens.userId, userId) : undefined));
    if (!current) throw notFound("Token");
    if (current.revokedAt) return current;
    const [row] = await this.db.update(apiTokens).set({ revokedAt: new Date() }).where(eq(apiTokens.id, id)).returning(apiTokenColumns);
    this.tokens.clear();
    return row!;
  }

  /** Returns the secret once; only its hash is stored. */
  async createToken(userId: string, name: string): Promise<{ token: string; record: ApiToken }> {
    const { token, prefix, hash } = generateToken();
    const [row] = await this.db
      .insert(apiTokens)
      .values({ userId, name: validateText("name", name, NAME_MAX_LENGTH), prefix, tokenHash: hash })
      .returning(apiTokenColumns);
    if (!row) throw new Error("token insert returned nothing");
    return { token, record: row };
  }

  /** Revokes by the shown prefix or the whole token; scoped to the user when one is given. */
  async revokeToken(prefixOrToken: string, userId?: string): Promise<ApiToken> {
    const match = prefixOrToken.startsWith(API_TOKEN_PREFIX) && prefixOrToken.length > 20
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
      .returning(apiTokenColumns);
    this.tokens.clear();
    return row!;
  }

  /** The user a bearer token belongs to, or null for unknown and revoked tokens and disabled users. */
  async authenticate(token: string, now = new Date()): Promise<User | null> {
    const hash = hashToken(token);
    const found = await this.tokens.get(hash, now.getTime(), async () => {
      const [row] = await this.db
        .select({ user: userColumns, tokenId: apiTokens.id, lastUsedAt: apiTokens.lastUsedAt })
        .from(apiTokens)
        .innerJoin(users, eq(users.id, apiTokens.userId))
        .where(and(eq(apiTokens.tokenHash, hash), isNull(apiTokens.revokedAt), isNull(users.disabledAt)));
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

  /** Cached users may be out of date (disabled, demoted, renamed): every client's next request asks again. */
  private forgetCachedUsers(): void {
    this.tokens.clear();
    this.sessions.forgetCached();
  }
}

/** Longer passwords are refused when set; checking only this much bounds the work a sign-in can ask. */
const PASSWORD_CHECK_LENGTH = PASSWORD_MAX_LENGTH + 1;

/** Does not echo the address: the message may end up beside another user's data in a log or screenshot. */
const emailTaken = () => new AppError("CONFLICT", "A user with this e-mail address already exists: use another address.");
