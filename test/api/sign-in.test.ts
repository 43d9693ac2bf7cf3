import { createHash, scrypt } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { capturedLogger } from "../helpers/captured-log.js";
import { startTestApi, type GraphQLResponse, type TestApi } from "../helpers/api.js";
import { dumpAllTables } from "../hardening/db-dump.js";

const SIGN_IN = "mutation($email: String!, $password: String!) { signIn(email: $email, password: $password) { id email } }";
const PASSWORD = "correct horse battery staple";
/** Where the hash's cost is not what a test is about: 16 MiB instead of 128 MiB a hash. */
const QUICK_HASHING = { ln: 14, r: 8, p: 1 };

interface Answer extends GraphQLResponse {
  cookies: string[];
}

/** One POST to /graphql with exactly these headers, as a browser (or a forger) would send it. */
async function post(api: TestApi, headers: Record<string, string>, query: string, variables?: Record<string, unknown>): Promise<Answer> {
  const response = await fetch(`${api.url}/graphql`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ query, variables }) });
  return { status: response.status, cookies: response.headers.getSetCookie(), ...((await response.json()) as object) };
}

/** The cookie's name=value, as the browser sends it back. */
const cookieOf = (answer: Answer): string => {
  const cookie = answer.cookies.find((c) => c.startsWith("tt_session="));
  expect(cookie, JSON.stringify(answer)).toBeDefined();
  return cookie!.split(";")[0]!;
};

describe("sign-in with e-mail and password", () => {
  let api: TestApi;
  const captured = capturedLogger();
  let same: Record<string, string>;
  let alice: { id: string; token: string };

  beforeAll(async () => {
    api = await startTestApi({ log: captured.log });
    same = { origin: api.url };
    alice = await api.createUser("alice@example.com", "Europe/Berlin");
    await api.services.users.setPassword(alice.id, PASSWORD);
  });
  afterAll(() => api.close());

  it("stores an scrypt hash with OWASP's parameters that node:crypto verifies on its own", async () => {
    const dump = JSON.stringify(await dumpAllTables(api.database.db));
    expect(dump).not.toContain(PASSWORD);
    const [, salt, hash] = /\$scrypt\$ln=17,r=8,p=1\$([\w-]+)\$([\w-]+)/.exec(dump) ?? [];
    expect(hash).toBeDefined();
    const derived = await new Promise<Buffer>((resolve, reject) =>
      scrypt(PASSWORD, Buffer.from(salt!, "base64url"), 32, { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 1024 * 1024 }, (e, key) => (e ? reject(e) : resolve(key))),
    );
    expect(derived.toString("base64url")).toBe(hash);
  });

  it("sets an HttpOnly, SameSite=Strict session cookie that then answers for the user", async () => {
    const signIn = await post(api, { ...same, "user-agent": "TestBrowser/1.0" }, SIGN_IN, { email: "Alice@Example.com", password: PASSWORD });
    expect(signIn.errors).toBeUndefined();
    expect(signIn.data?.signIn).toEqual({ id: alice.id, email: "alice@example.com" });
    const [setCookie] = signIn.cookies;
    expect(setCookie).toMatch(/^tt_session=ts_[\w-]{43}; Max-Age=2592000; Path=\/; HttpOnly; SameSite=Strict$/); // no Secure over plain http
    const cookie = cookieOf(signIn);

    const me = await post(api, { ...same, cookie }, "{ me { id } sessions { userAgent current } }");
    expect(me.data).toEqual({ me: { id: alice.id }, sessions: [{ userAgent: "TestBrowser/1.0", current: true }] });
    // only the secret's SHA-256 is stored
    const dump = JSON.stringify(await dumpAllTables(api.database.db));
    const secret = cookie.slice("tt_session=".length);
    expect(dump).not.toContain(secret);
    expect(dump).toContain(createHash("sha256").update(secret).digest("hex"));
  });

  it("answers an unknown e-mail, a wrong password, a user without password and a disabled user alike", async () => {
    const bob = await api.createUser("nopassword@example.com");
    const carol = await api.services.users.create({ email: "disabled@example.com", password: PASSWORD });
    const admin = await api.services.users.create({ email: "admin-for-disable@example.com", isAdmin: true });
    await api.services.users.disable(admin.id, carol.id);
    const answers = [];
    for (const [email, password] of [
      ["nobody@example.com", PASSWORD],
      ["alice@example.com", "wrong password!"],
      ["nopassword@example.com", PASSWORD],
      ["disabled@example.com", PASSWORD],
    ] as const) {
      const answer = await post(api, same, SIGN_IN, { email, password });
      expect(answer.cookies).toEqual([]);
      answers.push(JSON.stringify([answer.status, answer.data, answer.errors?.map((e) => [e.message, e.extensions])]));
    }
    expect(new Set(answers).size, answers.join("\n")).toBe(1);
    expect(answers[0]).toContain("UNAUTHENTICATED");
    expect(bob.id).toBeDefined();
  });

  it("never writes a password to a log or an answer", () => {
    expect(captured.text()).not.toContain(PASSWORD);
    expect(captured.text()).not.toContain("wrong password!");
  });
});

describe("sign-in abuse", () => {
  let api: TestApi;
  let proxied: TestApi;

  beforeAll(async () => {
    api = await startTestApi({ signInRateLimit: { perMinute: 1, burst: 3 }, passwordHashing: QUICK_HASHING });
    proxied = await startTestApi({ signInRateLimit: { perMinute: 1, burst: 3 }, config: { trustProxy: true }, passwordHashing: QUICK_HASHING });
    for (const server of [api, proxied]) {
      const { id } = await server.createUser("victim@example.com");
      await server.services.users.setPassword(id, PASSWORD);
      await server.services.users.create({ email: "admin@example.com", password: PASSWORD, isAdmin: true });
    }
  });
  afterAll(async () => {
    await api.close();
    await proxied.close();
  });

  it("limits failed sign-ins per account, from whatever address, and then refuses even the right password", async () => {
    const from = (address: string) => ({ origin: proxied.url, "x-forwarded-for": `203.0.113.${address}` });
    for (let i = 1; i <= 3; i++) {
      const answer = await post(proxied, from(String(i)), SIGN_IN, { email: "victim@example.com", password: `guess-${i}-guess` });
      expect(answer.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    }
    const limited = await post(proxied, from("99"), SIGN_IN, { email: "VICTIM@example.com", password: PASSWORD });
    expect(limited.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
    expect(limited.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(limited.cookies).toEqual([]);
    // another account is not affected
    expect((await post(proxied, from("100"), SIGN_IN, { email: "admin@example.com", password: PASSWORD })).data?.signIn.email).toBe("admin@example.com");
  });

  it("limits failed sign-ins per address, across accounts; successful ones do not count", async () => {
    for (let i = 0; i < 5; i++) expect((await post(api, { origin: api.url }, SIGN_IN, { email: "admin@example.com", password: PASSWORD })).errors).toBeUndefined();
    for (let i = 1; i <= 3; i++) {
      const answer = await post(api, { origin: api.url }, SIGN_IN, { email: `sprayed-${i}@example.com`, password: PASSWORD });
      expect(answer.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    }
    const limited = await post(api, { origin: api.url }, SIGN_IN, { email: "victim@example.com", password: PASSWORD });
    expect(limited.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
  });

  it("marks the cookie Secure when a trusted proxy says the request was https", async () => {
    const answer = await post(proxied, { origin: "https://timesheet.example", "x-forwarded-host": "timesheet.example", "x-forwarded-proto": "https" }, SIGN_IN, {
      email: "admin@example.com",
      password: PASSWORD,
    });
    expect(answer.errors).toBeUndefined();
    expect(answer.cookies[0]).toMatch(/; Secure$/);
  });

  describe("a forged cross-site request", () => {
    let cookie: string;
    let victimToken: string;

    beforeAll(async () => {
      const admin = await proxied.services.users.findByEmail("admin@example.com");
      victimToken = (await proxied.services.users.createToken(admin!.id, "cross-site test")).token;
      // a session of the admin's, signed in from the server's own page (a fresh address: not rate-limited)
      cookie = cookieOf(await post(proxied, { origin: proxied.url, "x-forwarded-for": "198.51.100.7" }, SIGN_IN, { email: "admin@example.com", password: PASSWORD }));
      expect((await post(proxied, { origin: proxied.url, cookie }, "{ me { email } }")).data?.me.email).toBe("admin@example.com");
    });

    const CREATE = 'mutation { createProject(input: {name: "Forged"}) { id } }';
    const projectNames = async () => (await proxied.graphql(victimToken, "{ projects { name } }")).data?.projects.map((p: { name: string }) => p.name);

    it.each([
      ["another Origin", { origin: "http://evil.invalid" }],
      ["Origin null (sandboxed frame)", { origin: "null" }],
      ["a sibling subdomain", { "sec-fetch-site": "same-site" }],
      ["Sec-Fetch-Site cross-site without Origin", { "sec-fetch-site": "cross-site" }],
      ["neither Origin nor Sec-Fetch-Site", {}],
    ])("with %s is not signed in", async (_label, headers: Record<string, string>) => {
      const answer = await post(proxied, { ...headers, cookie }, CREATE);
      expect(answer.status).toBe(401);
      expect(answer.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
      expect(await projectNames()).not.toContain("Forged");
    });

    it("as a form post (text/plain) or a GET is not signed in", async () => {
      const form = await fetch(`${proxied.url}/graphql`, { method: "POST", headers: { "content-type": "text/plain", origin: proxied.url, cookie }, body: JSON.stringify({ query: CREATE }) });
      expect(form.status).toBeGreaterThanOrEqual(400);
      const get = await fetch(`${proxied.url}/graphql?query=${encodeURIComponent("{ me { email } }")}`, {
        // past Apollo's own CSRF check, to show the cookie is what is refused
        headers: { accept: "application/json", "apollo-require-preflight": "true", origin: proxied.url, cookie },
      });
      expect(get.status).toBe(401);
      expect(JSON.stringify(await get.json())).not.toContain("admin@example.com");
      expect(await projectNames()).not.toContain("Forged");
    });

    it("cannot sign a visitor in or out", async () => {
      const signIn = await post(proxied, { origin: "http://evil.invalid" }, SIGN_IN, { email: "admin@example.com", password: PASSWORD });
      expect(signIn.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      expect(signIn.cookies).toEqual([]);
      const signOut = await post(proxied, { origin: "http://evil.invalid", cookie }, "mutation { signOut }");
      expect(signOut.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      expect((await post(proxied, { origin: proxied.url, cookie }, "{ me { email } }")).data?.me.email).toBe("admin@example.com");
    });
  });

  it("without any credentials reaches only signIn and signOut", async () => {
    const answer = await post(api, { origin: api.url }, "mutation { signOut createProject(input: {name: \"x\"}) { id } }");
    expect(answer.status).toBe(401);
    expect(answer.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const viaFragment = await post(api, { origin: api.url }, "mutation { ...F } fragment F on Mutation { signOut createProject(input: {name: \"x\"}) { id } }");
    expect(viaFragment.status).toBe(401);
    const signOut = await post(api, { origin: api.url }, "mutation { signOut }");
    expect(signOut.data).toEqual({ signOut: false });
    expect(signOut.cookies[0]).toMatch(/^tt_session=; Max-Age=0;/);
  });
});

describe("sessions end", () => {
  let api: TestApi;
  let same: Record<string, string>;
  let admin: { id: string; token: string };

  beforeAll(async () => {
    api = await startTestApi({ passwordHashing: QUICK_HASHING });
    same = { origin: api.url };
    const user = await api.services.users.create({ email: "boss@example.com", isAdmin: true });
    admin = { id: user.id, token: (await api.services.users.createToken(user.id, "admin")).token };
  });
  afterAll(() => api.close());

  const signedIn = async (email: string, password = PASSWORD) => cookieOf(await post(api, same, SIGN_IN, { email, password }));
  const whoAmI = async (cookie: string) => (await post(api, { ...same, cookie }, "{ me { email } }")).data?.me?.email ?? null;

  it("at once when an admin disables the user: sessions and tokens alike", async () => {
    const dave = await api.services.users.create({ email: "dave@example.com", password: PASSWORD });
    const { token } = await api.services.users.createToken(dave.id, "dave's script");
    const cookie = await signedIn("dave@example.com");
    // used just before, so both are in the auth caches
    expect(await whoAmI(cookie)).toBe("dave@example.com");
    expect((await api.graphql(token, "{ me { email } }")).data?.me.email).toBe("dave@example.com");

    const disabled = await api.graphql(admin.token, "mutation($id: UUID!) { disableUser(userId: $id) { disabledAt } }", { id: dave.id });
    expect(disabled.data?.disableUser.disabledAt).toEqual(expect.any(String));
    expect(await whoAmI(cookie)).toBeNull();
    expect((await api.graphql(token, "{ me { email } }")).status).toBe(401);
    expect((await post(api, same, SIGN_IN, { email: "dave@example.com", password: PASSWORD })).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("everywhere when an admin sets a new password (the CLI's user set-password)", async () => {
    const gina = await api.services.users.create({ email: "gina@example.com", password: PASSWORD });
    const cookie = await signedIn("gina@example.com");
    expect(await whoAmI(cookie)).toBe("gina@example.com");
    await api.services.users.setPassword(gina.id, "reset by the admin");
    expect(await whoAmI(cookie)).toBeNull();
    expect(await signedIn("gina@example.com", "reset by the admin")).toMatch(/^tt_session=ts_/);
  });

  it("on signOut, and the old cookie is dead", async () => {
    await api.services.users.create({ email: "erin@example.com", password: PASSWORD });
    const cookie = await signedIn("erin@example.com");
    const out = await post(api, { ...same, cookie }, "mutation { signOut }");
    expect(out.data).toEqual({ signOut: true });
    expect(out.cookies[0]).toMatch(/^tt_session=; Max-Age=0;/);
    expect(await whoAmI(cookie)).toBeNull();
  });

  it("when revoked from another browser, and changePassword needs the current password and ends the other sessions", async () => {
    await api.services.users.create({ email: "frank@example.com", password: PASSWORD });
    const [laptop, phone, tablet] = [await signedIn("frank@example.com"), await signedIn("frank@example.com"), await signedIn("frank@example.com")];
    const listed = await post(api, { ...same, cookie: laptop }, "{ sessions { id current } }");
    expect(listed.data?.sessions).toHaveLength(3);
    const phoneId = (await post(api, { ...same, cookie: phone }, "{ sessions { id current } }")).data?.sessions.find((s: { current: boolean }) => s.current).id;
    expect((await post(api, { ...same, cookie: laptop }, "mutation($id: UUID!) { revokeSession(id: $id) }", { id: phoneId })).data).toEqual({ revokeSession: true });
    expect(await whoAmI(phone)).toBeNull();

    const CHANGE = "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }";
    const wrong = await post(api, { ...same, cookie: laptop }, CHANGE, { c: "not the password", n: "a new long password" });
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "currentPassword" });
    const short = await post(api, { ...same, cookie: laptop }, CHANGE, { c: PASSWORD, n: "short" });
    expect(short.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "password" });
    expect((await post(api, { ...same, cookie: laptop }, CHANGE, { c: PASSWORD, n: "a new long password" })).data).toEqual({ changePassword: true });
    expect(await whoAmI(laptop)).toBe("frank@example.com");
    expect(await whoAmI(tablet)).toBeNull();
    expect((await post(api, same, SIGN_IN, { email: "frank@example.com", password: PASSWORD })).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(await signedIn("frank@example.com", "a new long password")).toMatch(/^tt_session=ts_/);
  });
});
