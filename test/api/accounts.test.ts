import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../helpers/api.js";

const CONFIGURE = "mutation($input: ConfigureCalDAVIntegrationInput!) { configureCalDAVIntegration(input: $input) { id timezone } }";
const UPDATE_ME = `mutation($input: UpdateMeInput!) {
  updateMe(input: $input) { user { email name timezone } movedIntegrationIds integrationIdsOnPreviousTimezone }
}`;
const QUICK_HASHING = { ln: 14, r: 8, p: 1 };

describe("the caller's own account", () => {
  let api: TestApi;
  let user: { id: string; token: string };

  beforeAll(async () => {
    api = await startTestApi({ passwordHashing: QUICK_HASHING });
    user = await api.createUser("first@example.com");
    await api.createUser("taken@example.com");
  });
  afterAll(() => api.close());

  // Each its own calendar: one calendar may be synced by one integration of a user only.
  let calendars = 0;
  const integration = async (timezone?: string) =>
    (await api.graphql(user.token, CONFIGURE, { input: { calendarUrl: `https://dav.example.invalid/cal-${++calendars}/`, username: "u", password: "p", ...(timezone ? { timezone } : {}) } }))
      .data!.configureCalDAVIntegration as { id: string; timezone: string };

  it("changes name and e-mail; refuses an address someone has and a zone that is not IANA", async () => {
    const res = await api.graphql(user.token, UPDATE_ME, { input: { name: "  Ada  ", email: "Ada@Example.com" } });
    expect(res.errors).toBeUndefined();
    expect(res.data?.updateMe.user).toEqual({ email: "ada@example.com", name: "Ada", timezone: "UTC" });
    expect((await api.graphql(user.token, "{ me { email name } }")).data?.me).toEqual({ email: "ada@example.com", name: "Ada" });

    const taken = await api.graphql(user.token, UPDATE_ME, { input: { email: "TAKEN@example.com" } });
    expect(taken.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    const zone = await api.graphql(user.token, UPDATE_ME, { input: { timezone: "Mars/Olympus_Mons" } });
    expect(zone.errors?.[0]?.extensions?.code).toMatch(/BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED/);
    expect((await api.graphql(user.token, "{ me { email timezone } }")).data?.me).toEqual({ email: "ada@example.com", timezone: "UTC" });
  });

  it("a new integration takes the user's zone; a zone change lists, or moves, the integrations that followed it", async () => {
    const following = await integration();
    const pinned = await integration("America/New_York");
    expect(following.timezone).toBe("UTC");

    const offered = await api.graphql(user.token, UPDATE_ME, { input: { timezone: "Europe/Berlin" } });
    expect(offered.data?.updateMe).toEqual({
      user: { email: "ada@example.com", name: "Ada", timezone: "Europe/Berlin" },
      movedIntegrationIds: [],
      integrationIdsOnPreviousTimezone: [following.id],
    });
    expect((await integration()).timezone).toBe("Europe/Berlin");

    const moved = await api.graphql(user.token, UPDATE_ME, { input: { timezone: "Europe/Vienna", moveIntegrations: true } });
    expect(moved.data?.updateMe.integrationIdsOnPreviousTimezone).toEqual([]);
    expect(moved.data?.updateMe.movedIntegrationIds).toHaveLength(1); // the one created in Europe/Berlin
    const zones = (await api.graphql(user.token, "{ integrations { id timezone } }")).data?.integrations;
    expect(zones).toEqual(
      expect.arrayContaining([
        { id: following.id, timezone: "UTC" },
        { id: pinned.id, timezone: "America/New_York" },
        { id: moved.data?.updateMe.movedIntegrationIds[0], timezone: "Europe/Vienna" },
      ]),
    );
  });

  it("lists, creates and revokes its own API tokens, and the secret is shown only once", async () => {
    const created = await api.graphql(user.token, 'mutation { createApiToken(name: "laptop script") { token apiToken { id name prefix revokedAt } } }');
    const { token, apiToken } = created.data!.createApiToken;
    expect(token).toMatch(/^tt_[\w-]{43}$/);
    expect(token.startsWith(apiToken.prefix)).toBe(true);
    expect((await api.graphql(token, "{ me { email } }")).data?.me.email).toBe("ada@example.com");

    const listed = await api.graphql(user.token, "{ apiTokens { id name prefix lastUsedAt revokedAt } }");
    expect(listed.data?.apiTokens.map((t: { name: string }) => t.name)).toEqual(["laptop script", "test"]);
    expect(listed.data?.apiTokens[0].lastUsedAt).toEqual(expect.any(String));
    expect(JSON.stringify(listed)).not.toContain(token);

    const revoked = await api.graphql(user.token, "mutation($id: UUID!) { revokeApiToken(id: $id) { revokedAt } }", { id: apiToken.id });
    expect(revoked.data?.revokeApiToken.revokedAt).toEqual(expect.any(String));
    expect((await api.graphql(token, "{ me { email } }")).status).toBe(401);
  });
});

describe("admins", () => {
  let api: TestApi;
  let admin: { id: string; token: string };
  let member: { id: string; token: string };

  beforeAll(async () => {
    api = await startTestApi({ passwordHashing: QUICK_HASHING });
    admin = await api.createUser("root@example.com", "Europe/Paris");
    await api.services.users.setAdmin(admin.id, true);
    member = await api.createUser("member@example.com");
  });
  afterAll(() => api.close());

  it("create a user with an initial password, in the admin's zone unless given, who can then sign in", async () => {
    const res = await api.graphql(admin.token, 'mutation { createUser(input: {email: "New@Example.com", name: "New", password: "initial password"}) { id email timezone isAdmin } }');
    expect(res.data?.createUser).toMatchObject({ email: "new@example.com", timezone: "Europe/Paris", isAdmin: false });
    const signIn = await fetch(`${api.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: api.url },
      body: JSON.stringify({ query: 'mutation { signIn(email: "new@example.com", password: "initial password") { email } }' }),
    });
    expect(await signIn.json()).toEqual({ data: { signIn: { email: "new@example.com" } } });
    const listed = await api.graphql(admin.token, "{ users { email isAdmin } }");
    expect(listed.data?.users.map((u: { email: string }) => u.email)).toEqual(["root@example.com", "member@example.com", "new@example.com"]);
  });

  it("list, create and revoke another user's tokens", async () => {
    const created = await api.graphql(admin.token, 'mutation($u: UUID!) { createApiToken(name: "for member", userId: $u) { token apiToken { id userId } } }', { u: member.id });
    const { token, apiToken } = created.data!.createApiToken;
    expect(apiToken.userId).toBe(member.id);
    expect((await api.graphql(token, "{ me { email } }")).data?.me.email).toBe("member@example.com");
    const listed = await api.graphql(admin.token, "query($u: UUID!) { apiTokens(userId: $u) { id name } }", { u: member.id });
    expect(listed.data?.apiTokens.map((t: { name: string }) => t.name)).toEqual(["for member", "test"]);
    await api.graphql(admin.token, "mutation($id: UUID!) { revokeApiToken(id: $id) { id } }", { id: apiToken.id });
    expect((await api.graphql(token, "{ me { email } }")).status).toBe(401);
  });

  it("grant admin rights, but never take them from the last admin, and cannot disable themselves", async () => {
    const SET = "mutation($u: UUID!, $a: Boolean!) { setUserAdmin(userId: $u, isAdmin: $a) { email isAdmin } }";
    const last = await api.graphql(admin.token, SET, { u: admin.id, a: false });
    expect(last.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    expect((await api.graphql(admin.token, "{ me { isAdmin } }")).data?.me.isAdmin).toBe(true);
    const self = await api.graphql(admin.token, "mutation($u: UUID!) { disableUser(userId: $u) { id } }", { u: admin.id });
    expect(self.errors?.[0]?.extensions?.code).toBe("CONFLICT");

    expect((await api.graphql(admin.token, SET, { u: member.id, a: true })).data?.setUserAdmin).toEqual({ email: "member@example.com", isAdmin: true });
    expect((await api.graphql(member.token, "{ users { email } }")).errors).toBeUndefined(); // at once, despite the auth cache
    expect((await api.graphql(member.token, SET, { u: member.id, a: false })).data?.setUserAdmin.isAdmin).toBe(false);
    expect((await api.graphql(member.token, "{ users { email } }")).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it.each([
    ["users", "{ users { id } }", {}],
    ["createUser", 'mutation { createUser(input: {email: "x@example.com", password: "initial password"}) { id } }', {}],
    ["setUserAdmin", "mutation($u: UUID!) { setUserAdmin(userId: $u, isAdmin: true) { id } }", { u: "self" }],
    ["disableUser", "mutation($u: UUID!) { disableUser(userId: $u) { id } }", { u: "admin" }],
    ["apiTokens of another user", "query($u: UUID!) { apiTokens(userId: $u) { id } }", { u: "admin" }],
    ["createApiToken for another user", 'mutation($u: UUID!) { createApiToken(name: "x", userId: $u) { token } }', { u: "admin" }],
  ])("are the only ones allowed %s: anyone else gets FORBIDDEN and nothing changes", async (_label, query, variables: Record<string, string>) => {
    const ids: Record<string, string> = { self: member.id, admin: admin.id };
    const before = await api.graphql(admin.token, "{ users { id email isAdmin disabledAt } }");
    const res = await api.graphql(member.token, query, Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, ids[v]])));
    expect(res.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(res.errors?.[0]?.message).toMatch(/ask an admin/);
    expect(await api.graphql(admin.token, "{ users { id email isAdmin disabledAt } }")).toEqual(before);
    expect((await api.graphql(admin.token, "query($u: UUID!) { apiTokens(userId: $u) { id } }", { u: admin.id })).data?.apiTokens).toHaveLength(1);
  });
});
