import fc from "fast-check";
import { parse, type ObjectTypeDefinitionNode } from "graphql";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { apiTokens } from "../../src/db/schema.js";
import { startTestApi, type GraphQLResponse, type TestApi } from "../helpers/api.js";
import { repoRoot } from "../helpers/process.js";
import { dumpAllTables } from "./db-dump.js";

/**
 * Property-based fuzzing of every mutation's input through the real API: whatever a client sends,
 * the answer is never an internal error, and a refused request writes nothing (every row of every
 * table is compared before and after).
 *
 * No packet leaves loopback: the CalDAV client refuses private and loopback addresses here and its
 * resolver answers nothing, and testConnection/syncNow are only ever given ids that do not exist.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

// --- building blocks -------------------------------------------------------------------------
const nasty = fc.constantFrom(
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\uD800",
  "\uDFFF x",
  "\u202E\u200B",
  "x".repeat(5_000),
  "' OR 1=1 --",
  "'; drop table users; --",
  "<script>alert(1)</script>",
  "../../../etc/passwd",
  "${jndi:ldap://127.0.0.1/a}",
  "%00",
  "😀".repeat(300),
);
/** Includes U+0000, which PostgreSQL cannot store in text: it must be refused as bad input. */
const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 80 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 80 }) },
  { weight: 3, arbitrary: nasty },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((s) => `${s}\u0000${s}`) },
);
/** Hosts that never resolve here (the injected resolver answers nothing) or are refused by policy. */
const host = fc.constantFrom("127.0.0.1", "localhost", "dav.invalid", "169.254.169.254", "[::1]", "[fe80::1]", "10.0.0.1", "[::ffff:127.0.0.1]", "0.0.0.0", "example.invalid");
const url = fc.oneof(
  fc.tuple(fc.constantFrom("http://", "https://", "ftp://", "file://", "javascript:", "", "//", "https://user:pw@"), host, fc.constantFrom("", "/", "/cal/", "/a/../../b", ":0/", ":99999/", "/%00", "#frag", "?q=1")).map(([a, b, c]) => a + b + c),
  text,
);
const uuidLike = fc.oneof(fc.uuid(), fc.constantFrom("00000000-0000-0000-0000-000000000000", "not-a-uuid", "", "ffffffff-ffff-ffff-ffff-ffffffffffff"), text);
const int = fc.oneof(fc.integer(), fc.integer({ min: -2, max: 400 }), fc.constantFrom(0, -1, 1, 5, 24, 25, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 1.5, 1e308));
const dateTime = fc.oneof(
  fc.date({ min: new Date("1900-01-01"), max: new Date("2200-01-01"), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom("2026-13-01T00:00:00Z", "2026-02-30T10:00:00Z", "yesterday", "", "0000-01-01T00:00:00Z", "+275760-09-13T00:00:00.000Z", "2026-01-01T25:00:00Z", "2026-01-01"),
  text,
);
const anyJson = fc.jsonValue({ maxDepth: 2 });
/** Mostly the right type with hostile values, sometimes anything at all, sometimes absent or null. */
const field = <T,>(arb: fc.Arbitrary<T>) =>
  fc.option(fc.oneof({ weight: 12, arbitrary: arb as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: anyJson }), { nil: undefined, freq: 3 });
const record = (shape: Record<string, fc.Arbitrary<unknown>>) =>
  fc.record(Object.fromEntries(Object.entries(shape).map(([k, a]) => [k, field(a)])), { requiredKeys: [] }).map((r) =>
    Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)),
  );

// --- the mutations ---------------------------------------------------------------------------
interface Case {
  query: string;
  variables: (ids: Ids) => fc.Arbitrary<Record<string, unknown>>;
}
interface Ids {
  project: string;
  entry: string;
  integration: string;
  /** Another user, whom the fuzzing admin may change. */
  user: string;
  token: string;
}
/** Ids that exist (so updates reach the deeper validation) mixed with ids that do not. */
const someId = (ids: Ids, kinds: (keyof Ids)[]) => fc.oneof(uuidLike, fc.constantFrom(...kinds.map((k) => ids[k])));

const password = fc.oneof(text, fc.string({ minLength: 8, maxLength: 40 }), fc.constantFrom("12345678", "x".repeat(1_025), "correct horse battery staple"));
const email = fc.oneof(text, fc.emailAddress(), fc.constantFrom("fuzz@example.com", "FUZZ@EXAMPLE.COM", "a@b", "@", "a@@b", "other@example.com"));
const zone = fc.oneof(text, fc.constantFrom("Europe/Berlin", "UTC", "Etc/GMT+14", "Mars/Base", "europe/berlin"));

const CASES: Record<string, Case> = {
  updateMe: {
    query: "mutation($input: UpdateMeInput!) { updateMe(input: $input) { user { id } movedIntegrationIds } }",
    variables: () => fc.record({ input: record({ name: text, email, timezone: zone, moveIntegrations: fc.boolean() }) }),
  },
  changePassword: {
    query: "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }",
    variables: () => fc.record({ c: field(password), n: field(password) }),
  },
  signIn: {
    query: "mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { id } }",
    variables: () => fc.record({ e: field(email), p: field(password) }),
  },
  signOut: {
    query: "mutation { signOut }",
    variables: () => fc.constant({}),
  },
  createApiToken: {
    query: "mutation($name: String!, $u: UUID) { createApiToken(name: $name, userId: $u) { apiToken { id } } }",
    variables: (ids) => fc.record({ name: field(text), u: field(someId(ids, ["user", "project"])) }),
  },
  revokeApiToken: {
    query: "mutation($id: UUID!) { revokeApiToken(id: $id) { id } }",
    // never the fuzzing admin's own token: the other cases need it
    variables: (ids) => fc.record({ id: field(someId(ids, ["token", "project"])) }),
  },
  revokeSession: {
    query: "mutation($id: UUID!) { revokeSession(id: $id) }",
    variables: (ids) => fc.record({ id: field(someId(ids, ["user", "token"])) }),
  },
  createUser: {
    query: "mutation($input: CreateUserInput!) { createUser(input: $input) { id } }",
    variables: () => fc.record({ input: record({ email, name: text, timezone: zone, password }) }),
  },
  setUserAdmin: {
    query: "mutation($u: UUID!, $a: Boolean!) { setUserAdmin(userId: $u, isAdmin: $a) { id } }",
    variables: (ids) => fc.record({ u: field(someId(ids, ["user", "token"])), a: field(fc.boolean()) }),
  },
  disableUser: {
    query: "mutation($u: UUID!) { disableUser(userId: $u) { id } }",
    // never the fuzzing admin (refused anyway): the other user, or ids that are no user
    variables: (ids) => fc.record({ u: field(someId(ids, ["user", "token"])) }),
  },
  configureCalDAVIntegration: {
    query: "mutation($input: ConfigureCalDAVIntegrationInput!) { configureCalDAVIntegration(input: $input) { id } }",
    variables: (ids) =>
      fc.record({
        input: record({
          id: someId(ids, ["integration", "project"]),
          name: text,
          serverUrl: url,
          calendarUrl: url,
          username: text,
          password: text,
          verifySsl: fc.boolean(),
          defaultProjectId: someId(ids, ["project"]),
          lookbackDays: int,
          lookaheadDays: int,
          timezone: fc.oneof(text, fc.constantFrom("Europe/Berlin", "UTC", "Etc/GMT+14", "Mars/Base", "europe/berlin")),
          importAllDay: fc.boolean(),
          allDayStart: fc.oneof(text, fc.constantFrom("09:00", "24:00", "9:00", "23:59", "00:60")),
          allDayHours: int,
          skipFreeEvents: fc.boolean(),
          autoSyncIntervalMinutes: int,
          calendars: fc.array(record({ url, selected: fc.boolean(), defaultProjectId: someId(ids, ["project"]) }), { maxLength: 4 }),
        }),
      }),
  },
  resumeIntegration: {
    query: "mutation($id: UUID!) { resumeIntegration(id: $id) { id status } }",
    variables: (ids) => fc.record({ id: field(someId(ids, ["integration", "project"])) }),
  },
  deleteIntegration: {
    query: "mutation($id: UUID!) { deleteIntegration(id: $id) { deleted kept } }",
    // never the existing integration: the others would then fuzz a missing one only
    variables: () => fc.record({ id: field(uuidLike) }),
  },
  testConnection: {
    query: "mutation($id: UUID!) { testConnection(integrationId: $id) { success errorCode } }",
    variables: () => fc.record({ id: field(uuidLike) }),
  },
  createProject: {
    query: "mutation($input: CreateProjectInput!) { createProject(input: $input) { id } }",
    variables: () => fc.record({ input: record({ name: text }) }),
  },
  updateProject: {
    query: "mutation($input: UpdateProjectInput!) { updateProject(input: $input) { id } }",
    variables: (ids) => fc.record({ input: record({ id: someId(ids, ["project", "entry"]), name: text, archived: fc.boolean() }) }),
  },
  deleteProject: {
    query: "mutation($id: UUID!, $entries: ProjectUsesOnDelete, $to: UUID) { deleteProject(id: $id, entries: $entries, moveToProjectId: $to) }",
    variables: (ids) =>
      fc.record({ id: someId(ids, ["project", "entry"]), entries: field(fc.constantFrom("MOVE_TO", "CLEAR", "NONE", "move_to")), to: field(someId(ids, ["project"])) }),
  },
  syncNow: {
    query: "mutation($id: UUID!, $mode: SyncMode!, $confirm: Boolean!) { syncNow(integrationId: $id, mode: $mode, confirmDeletions: $confirm) { id status } }",
    variables: () => fc.record({ id: field(uuidLike), mode: field(fc.constantFrom("FULL", "INCREMENTAL", "full", "NONE")), confirm: field(fc.boolean()) }),
  },
  createTimeEntry: {
    query: "mutation($input: CreateTimeEntryInput!) { createTimeEntry(input: $input) { id } }",
    variables: (ids) => fc.record({ input: record({ startTime: dateTime, endTime: dateTime, projectId: someId(ids, ["project", "entry"]), notes: text }) }),
  },
  updateTimeEntry: {
    query: "mutation($input: UpdateTimeEntryInput!) { updateTimeEntry(input: $input) { id } }",
    variables: (ids) =>
      fc.record({ input: record({ id: someId(ids, ["entry", "project"]), startTime: dateTime, endTime: dateTime, projectId: someId(ids, ["project"]), notes: text }) }),
  },
  deleteTimeEntry: {
    query: "mutation($id: UUID!) { deleteTimeEntry(id: $id) }",
    variables: () => fc.record({ id: field(uuidLike) }),
  },
  resetTimeEntry: {
    query: "mutation($id: UUID!) { resetTimeEntry(id: $id) { id } }",
    variables: (ids) => fc.record({ id: field(someId(ids, ["entry", "integration"])) }),
  },
  restoreImportedEntries: {
    query: "mutation($i: UUID!, $c: UUID) { restoreImportedEntries(integrationId: $i, calendarId: $c) }",
    variables: (ids) => fc.record({ i: field(someId(ids, ["integration", "entry"])), c: field(uuidLike) }),
  },
  deleteTimeEntries: {
    query: "mutation($f: TimeEntryFilterInput!) { deleteTimeEntries(filter: $f) }",
    variables: (ids) =>
      fc.record({
        f: field(record({ from: dateTime, to: dateTime, projectId: someId(ids, ["project"]), source: fc.constantFrom("AUTO", "MANUAL", "auto", ""), integrationId: someId(ids, ["integration"]), calendarId: uuidLike })),
      }),
  },
};

/** The mutations the schema declares, read from schema.graphql. */
export function schemaMutations(): string[] {
  const doc = parse(readFileSync(path.join(repoRoot, "schema.graphql"), "utf8"));
  const mutation = doc.definitions.find((d): d is ObjectTypeDefinitionNode => d.kind === "ObjectTypeDefinition" && d.name.value === "Mutation");
  return (mutation?.fields ?? []).map((f) => f.name.value).sort();
}

describe("fuzzing every mutation's input", () => {
  let api: TestApi;
  let token: string;
  let ids: Ids;
  let caldavRequests = 0;

  beforeAll(async () => {
    api = await startTestApi({
      // the hash's cost is not what this test is about
      passwordHashing: { ln: 14, r: 8, p: 1 },
      caldav: {
        allowPrivateNetworks: false,
        timeoutMs: 2_000,
        lookup: async () => {
          throw Object.assign(new Error("no DNS in fuzz tests"), { code: "ENOTFOUND" });
        },
        onRequest: () => void caldavRequests++,
      },
    });
    const fuzzer = await api.createUser("fuzz@example.com", "Europe/Berlin");
    token = fuzzer.token;
    // An admin, so the admin operations reach their validation instead of stopping at FORBIDDEN.
    await api.services.users.setAdmin(fuzzer.id, true);
    // Its token counts as used in the future, so the once-a-minute last-use write never lands
    // between the dumps before and after a refused call (the run takes longer than a minute).
    await api.database.db.update(apiTokens).set({ lastUsedAt: new Date("2100-01-01T00:00:00Z") }).where(eq(apiTokens.userId, fuzzer.id));
    const other = await api.services.users.create({ email: "other@example.com" });
    const otherToken = await api.services.users.createToken(other.id, "other's");
    const project = (await api.graphql(token, 'mutation { createProject(input: {name: "Fuzz"}) { id } }')).data?.createProject.id;
    const entry = (await api.graphql(token, 'mutation { createTimeEntry(input: {startTime: "2026-01-05T09:00:00Z", endTime: "2026-01-05T10:00:00Z", notes: "n"}) { id } }')).data
      ?.createTimeEntry.id;
    const integration = (
      await api.graphql(token, "mutation($input: ConfigureCalDAVIntegrationInput!) { configureCalDAVIntegration(input: $input) { id } }", {
        input: { calendarUrl: "http://127.0.0.1:9/cal/", username: "u", password: "p" },
      })
    ).data?.configureCalDAVIntegration.id;
    ids = { project, entry, integration, user: other.id, token: otherToken.record.id };
    expect(Object.values(ids).every(Boolean)).toBe(true);
  });
  afterAll(() => api?.close());

  it("covers every mutation of the schema", () => {
    expect(Object.keys(CASES).sort()).toEqual(schemaMutations());
  });

  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: never an internal error, never a write when refused`, async () => {
      await fc.assert(
        fc.asyncProperty(c.variables(ids), async (variables) => {
          const before = await dumpAllTables(api.database.db);
          const res: GraphQLResponse = await api.graphql(token, c.query, variables);
          const codes = (res.errors ?? []).map((e) => e.extensions?.code);
          expect(res.status, JSON.stringify(res)).toBeLessThan(500);
          expect(codes, JSON.stringify(res)).not.toContain("INTERNAL_SERVER_ERROR");
          expect(codes.every((code) => typeof code === "string"), JSON.stringify(res)).toBe(true);
          if (res.errors?.length || (name === "testConnection" && res.data?.testConnection?.success === false)) {
            expect(await dumpAllTables(api.database.db)).toEqual(before);
          }
        }),
        { numRuns: RUNS, endOnFailure: true },
      );
      expect(caldavRequests).toBe(0);
    });
  }
});
