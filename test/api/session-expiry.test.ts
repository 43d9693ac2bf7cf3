import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserService } from "../../src/users/service.js";
import { openTestDatabase, type TestDatabase } from "../helpers/database.js";

const DAY = 24 * 3600_000;
const t0 = new Date("2026-03-01T08:00:00Z");
const at = (days: number) => new Date(t0.getTime() + days * DAY);

/** Sessions end 14 days after their last use, and 30 days after sign-in whatever the use. */
describe("session lifetime", () => {
  let database: TestDatabase;
  let users: UserService;
  let userId: string;

  beforeAll(async () => {
    database = await openTestDatabase();
    // No auth cache: every check asks the database, as a request a second later would.
    users = new UserService(database.db, { authCacheTtlMs: 0 });
    userId = (await users.create({ email: "sliding@example.com" })).id;
  });
  afterAll(() => database.close());

  it("ends 14 days after the last use", async () => {
    const { secret } = await users.sessions.create(userId, null, t0);
    expect(await users.sessions.authenticate(secret, at(13.9))).not.toBeNull();
    // used at day 13.9: good until day 27.9, which is before the 30-day cap
    expect(await users.sessions.authenticate(secret, at(27.91))).toBeNull();
    const other = await users.sessions.create(userId, null, t0);
    expect(await users.sessions.authenticate(other.secret, at(14.01))).toBeNull();
  });

  it("slides with use, but never past 30 days after sign-in", async () => {
    const { secret, session } = await users.sessions.create(userId, null, t0);
    for (const day of [10, 20, 29]) expect(await users.sessions.authenticate(secret, at(day))).not.toBeNull();
    const [row] = (await users.sessions.list(userId, at(29))).filter((s) => s.id === session.id);
    expect(row?.expiresAt.toISOString()).toBe(at(30).toISOString());
    expect(row?.lastUsedAt.toISOString()).toBe(at(29).toISOString());
    expect(await users.sessions.authenticate(secret, at(30.001))).toBeNull();
  });

  it("a sign-in sweeps the user's expired sessions", async () => {
    await users.sessions.create(userId, null, at(100));
    expect((await database.db.query.sessions.findMany()).map((s) => s.createdAt.toISOString())).toEqual([at(100).toISOString()]);
  });
});
