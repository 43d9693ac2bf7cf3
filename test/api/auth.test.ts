import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUTH_CACHE_TTL_MS, UserService } from "../../src/users/service.js";
import { startTestApi, type TestApi } from "../helpers/api.js";

describe("authentication", () => {
  let api: TestApi;
  let alice: { id: string; token: string };

  beforeAll(async () => {
    api = await startTestApi();
    alice = await api.createUser("alice@example.com", "Europe/Berlin");
  });
  afterAll(() => api.close());

  it("answers the caller with a valid bearer token", async () => {
    const res = await api.graphql(alice.token, "{ me { id email timezone } }");
    expect(res.errors).toBeUndefined();
    expect(res.data?.me).toEqual({ id: alice.id, email: "alice@example.com", timezone: "Europe/Berlin" });
  });

  it.each([
    ["no header", null],
    ["an unknown token", "tt_thisTokenDoesNotExistAnywhereInTheDatabase000"],
    ["an empty bearer", ""],
  ])("refuses %s with UNAUTHENTICATED and 401", async (_label, token) => {
    const res = await api.graphql(token, "{ me { id } }");
    expect(res.status).toBe(401);
    expect(res.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(res.data ?? null).toBeNull();
  });

  it("answers introspection without sign-in (the schema is public), and nothing beside it", async () => {
    const schema = await api.graphql(null, "{ __schema { queryType { name } } __type(name: \"TimeEntry\") { name } }");
    expect(schema.errors).toBeUndefined();
    expect(schema.data).toEqual({ __schema: { queryType: { name: "Query" } }, __type: { name: "TimeEntry" } });
    const mixed = await api.graphql(null, "{ __schema { queryType { name } } me { id } }");
    expect(mixed.status).toBe(401);
    expect(mixed.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(mixed.data ?? null).toBeNull();
  });

  it("refuses mutations without a token and writes nothing", async () => {
    const res = await api.graphql(null, 'mutation { createProject(input: {name: "Sneaky"}) { id } }');
    expect(res.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(await api.services.projects.list(alice.id, true)).toEqual([]);
  });

  it("refuses a revoked token", async () => {
    const { token, record } = await api.services.users.createToken(alice.id, "to revoke");
    expect((await api.graphql(token, "{ me { id } }")).data?.me.id).toBe(alice.id);
    await api.services.users.revokeToken(record.prefix, alice.id);
    const res = await api.graphql(token, "{ me { id } }");
    expect(res.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("refuses a token revoked by another process (the CLI, another instance) within AUTH_CACHE_TTL_MS", async () => {
    const { token, record } = await api.services.users.createToken(alice.id, "revoked elsewhere");
    const t0 = Date.now();
    expect((await api.services.users.authenticate(token, new Date(t0)))?.id).toBe(alice.id);
    await new UserService(api.database.db).revokeToken(record.prefix, alice.id);
    expect(await api.services.users.authenticate(token, new Date(t0 + AUTH_CACHE_TTL_MS))).toBeNull();
    // The documented bound: at most a second.
    expect(AUTH_CACHE_TTL_MS).toBeLessThanOrEqual(1_000);
  });

  it("refuses a token revoked through the server's own services at once, even between checks", async () => {
    const { token, record } = await api.services.users.createToken(alice.id, "revoked here");
    for (let i = 0; i < 3; i++) expect((await api.graphql(token, "{ me { id } }")).data?.me.id).toBe(alice.id);
    await api.services.users.revokeToken(record.prefix, alice.id);
    expect((await api.graphql(token, "{ me { id } }")).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("stores only a hash of each token", async () => {
    const { token } = await api.services.users.createToken(alice.id, "hash check");
    const rows = await api.database.db.query.apiTokens.findMany();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(Object.values(row).map(String)).not.toContain(token);
      expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it("records when a token was last used", async () => {
    const { token, record } = await api.services.users.createToken(alice.id, "usage");
    expect(record.lastUsedAt).toBeNull();
    await api.graphql(token, "{ me { id } }");
    const row = await api.database.db.query.apiTokens.findFirst({ where: (t, { eq }) => eq(t.id, record.id) });
    expect(row?.lastUsedAt).toBeInstanceOf(Date);
  });
});
