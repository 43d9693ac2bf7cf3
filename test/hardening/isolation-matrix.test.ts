import { parse, type ObjectTypeDefinitionNode } from "graphql";
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type GraphQLResponse, type TestApi } from "../helpers/api.js";
import { repoRoot } from "../helpers/process.js";
import { dumpAllTables } from "./db-dump.js";

/**
 * User B calls every query and mutation of the schema against user A's integration, sync run,
 * time entry and project, by id. Expected:
 *  - NOT_FOUND for A's object addressed directly, with the very same answer as for an id that
 *    does not exist (existence is never revealed);
 *  - BAD_USER_INPUT for A's project *referenced* from B's own object (createTimeEntry, a default
 *    project, …) or A's sync run as a page cursor — again the same answer as for a missing id;
 *  - lists and filters simply do not contain A's rows;
 *  - nothing of A's changes (every table row not belonging to B is compared before and after), and
 *    A's CalDAV server never hears from us.
 * The matrix is checked against schema.graphql: a new query or mutation fails this file until it is
 * added here.
 */
const MISSING = "00000000-0000-4000-8000-000000000000";
const ALICE_PASSWORD = "alice's sign-in password";

/** An error code: the same answer as for ids (and an e-mail) that do not exist. */
type Refusal = "NOT_FOUND" | "BAD_USER_INPUT" | "FORBIDDEN" | "UNAUTHENTICATED";
type Expect = Refusal | "OWN_DATA_ONLY" | "OK";
const REFUSALS: readonly string[] = ["NOT_FOUND", "BAD_USER_INPUT", "FORBIDDEN", "UNAUTHENTICATED"] satisfies Refusal[];
interface Attempt {
  field: string;
  label: string;
  query: string;
  /** Variables with A's ids (`foreign`) or, for comparison, ids that do not exist (`missing`). */
  variables: (ids: Ids) => Record<string, unknown>;
  expect: Expect;
}
interface Ids {
  integration: string;
  run: string;
  entry: string;
  project: string;
  entryCursor: string;
  bobEntry: string;
  bobIntegration: string;
  bobProject: string;
  user: string;
  bobUser: string;
  email: string;
  token: string;
  session: string;
}

function schemaFields(typeName: "Query" | "Mutation"): string[] {
  const doc = parse(readFileSync(path.join(repoRoot, "schema.graphql"), "utf8"));
  const type = doc.definitions.find((d): d is ObjectTypeDefinitionNode => d.kind === "ObjectTypeDefinition" && d.name.value === typeName);
  return (type?.fields ?? []).map((f) => f.name.value);
}

const RUN_FIELDS = "id status message integrationId";
const ATTEMPTS: Attempt[] = [
  // --- queries ---
  { field: "integrations", label: "list", query: "{ integrations { id name username } }", variables: () => ({}), expect: "OWN_DATA_ONLY" },
  { field: "integration", label: "by id", query: "query($id: UUID!) { integration(id: $id) { id name } }", variables: (i) => ({ id: i.integration }), expect: "NOT_FOUND" },
  { field: "calendars", label: "of A's integration", query: "query($id: UUID!) { calendars(integrationId: $id) { url } }", variables: (i) => ({ id: i.integration }), expect: "NOT_FOUND" },
  {
    field: "discoverCalendars",
    label: "with A's stored credentials",
    query: "query($id: UUID!) { discoverCalendars(input: {integrationId: $id}) { url } }",
    variables: (i) => ({ id: i.integration }),
    expect: "NOT_FOUND",
  },
  { field: "me", label: "is B", query: "{ me { id email } }", variables: () => ({}), expect: "OWN_DATA_ONLY" },
  { field: "projects", label: "list", query: "{ projects(includeArchived: true) { id name } }", variables: () => ({}), expect: "OWN_DATA_ONLY" },
  {
    field: "syncRuns",
    label: "of A's integration",
    query: `query($id: UUID!) { syncRuns(integrationId: $id) { edges { node { ${RUN_FIELDS} } } } }`,
    variables: (i) => ({ id: i.integration }),
    expect: "NOT_FOUND",
  },
  {
    field: "syncRuns",
    label: "of B's integration after A's run",
    query: `query($id: UUID!, $after: String) { syncRuns(integrationId: $id, after: $after) { edges { node { ${RUN_FIELDS} } } } }`,
    variables: (i) => ({ id: i.bobIntegration, after: i.run }),
    expect: "BAD_USER_INPUT",
  },
  { field: "syncRun", label: "A's run by id", query: `query($id: UUID!) { syncRun(id: $id) { ${RUN_FIELDS} } }`, variables: (i) => ({ id: i.run }), expect: "NOT_FOUND" },
  {
    field: "timeTotals",
    label: "per project over A's entry",
    query: 'query { timeTotals(from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z", groupBy: PROJECT) { entryCount groups { projectId project { name } durationSeconds } } }',
    variables: () => ({}),
    expect: "OWN_DATA_ONLY",
  },
  {
    field: "timeEntries",
    label: "filtered by A's project",
    query: "query($p: UUID) { timeEntries(filter: {projectId: $p}) { totalCount edges { node { id notes } } } }",
    variables: (i) => ({ p: i.project }),
    expect: "OWN_DATA_ONLY",
  },
  {
    field: "timeEntries",
    label: "after A's cursor",
    query: "query($after: String) { timeEntries(after: $after) { totalCount edges { node { id notes } } } }",
    variables: (i) => ({ after: i.entryCursor }),
    expect: "OWN_DATA_ONLY",
  },
  {
    field: "timeEntries",
    label: "filtered by A's integration",
    query: "query($i: UUID) { timeEntries(filter: {integrationId: $i}) { totalCount edges { node { id notes } } } }",
    variables: (i) => ({ i: i.integration }),
    expect: "OWN_DATA_ONLY",
  },
  { field: "timeEntry", label: "by id", query: "query($id: UUID!) { timeEntry(id: $id) { id notes } }", variables: (i) => ({ id: i.entry }), expect: "NOT_FOUND" },
  { field: "apiTokens", label: "own", query: "{ apiTokens { id userId name prefix } }", variables: () => ({}), expect: "OWN_DATA_ONLY" },
  { field: "apiTokens", label: "of A", query: "query($u: UUID) { apiTokens(userId: $u) { id name prefix } }", variables: (i) => ({ u: i.user }), expect: "FORBIDDEN" },
  { field: "sessions", label: "own", query: "{ sessions { id prefix userAgent } }", variables: () => ({}), expect: "OWN_DATA_ONLY" },
  { field: "users", label: "list (admins only)", query: "{ users { id email } }", variables: () => ({}), expect: "FORBIDDEN" },
  // --- mutations ---
  {
    field: "configureCalDAVIntegration",
    label: "update A's integration",
    query: "mutation($input: ConfigureCalDAVIntegrationInput!) { configureCalDAVIntegration(input: $input) { id } }",
    variables: (i) => ({ input: { id: i.integration, name: "pwned", password: "mine-now" } }),
    expect: "NOT_FOUND",
  },
  {
    field: "configureCalDAVIntegration",
    label: "create with A's project as default",
    query: "mutation($input: ConfigureCalDAVIntegrationInput!) { configureCalDAVIntegration(input: $input) { id } }",
    variables: (i) => ({ input: { calendarUrl: "http://127.0.0.1:9/b/", username: "b", password: "b", defaultProjectId: i.project } }),
    expect: "BAD_USER_INPUT",
  },
  {
    field: "configureCalDAVIntegration",
    label: "A's project on B's calendar",
    query: "mutation($input: ConfigureCalDAVIntegrationInput!) { configureCalDAVIntegration(input: $input) { id } }",
    variables: (i) => ({ input: { id: i.bobIntegration, calendars: [{ url: "http://127.0.0.1:9/b/", selected: true, defaultProjectId: i.project }] } }),
    expect: "BAD_USER_INPUT",
  },
  { field: "resumeIntegration", label: "A's integration", query: "mutation($id: UUID!) { resumeIntegration(id: $id) { id } }", variables: (i) => ({ id: i.integration }), expect: "NOT_FOUND" },
  { field: "deleteIntegration", label: "A's integration", query: "mutation($id: UUID!) { deleteIntegration(id: $id) { deleted kept } }", variables: (i) => ({ id: i.integration }), expect: "NOT_FOUND" },
  {
    field: "testConnection",
    label: "A's integration",
    query: "mutation($id: UUID!) { testConnection(integrationId: $id) { success message calendars { url } } }",
    variables: (i) => ({ id: i.integration }),
    expect: "NOT_FOUND",
  },
  {
    field: "createProject",
    label: "with the name of A's project (names are unique per user only)",
    query: 'mutation { createProject(input: {name: "Secret"}) { id } }',
    variables: () => ({}),
    expect: "OK",
  },
  { field: "updateProject", label: "rename A's project", query: 'mutation($id: UUID!) { updateProject(input: {id: $id, name: "Mine"}) { id } }', variables: (i) => ({ id: i.project }), expect: "NOT_FOUND" },
  { field: "updateProject", label: "archive A's project", query: "mutation($id: UUID!) { updateProject(input: {id: $id, archived: true}) { id } }", variables: (i) => ({ id: i.project }), expect: "NOT_FOUND" },
  {
    field: "syncNow",
    label: "A's integration (FULL, confirmed deletions)",
    query: `mutation($id: UUID!) { syncNow(integrationId: $id, mode: FULL, confirmDeletions: true) { ${RUN_FIELDS} } }`,
    variables: (i) => ({ id: i.integration }),
    expect: "NOT_FOUND",
  },
  {
    field: "createTimeEntry",
    label: "on A's project",
    query: 'mutation($p: UUID!) { createTimeEntry(input: {startTime: "2026-01-07T09:00:00Z", endTime: "2026-01-07T10:00:00Z", projectId: $p}) { id } }',
    variables: (i) => ({ p: i.project }),
    expect: "BAD_USER_INPUT",
  },
  {
    field: "updateTimeEntry",
    label: "A's entry",
    query: 'mutation($id: UUID!) { updateTimeEntry(input: {id: $id, notes: "pwned", startTime: "2020-01-01T00:00:00Z"}) { id } }',
    variables: (i) => ({ id: i.entry }),
    expect: "NOT_FOUND",
  },
  {
    field: "updateTimeEntry",
    label: "B's entry onto A's project",
    query: "mutation($id: UUID!, $p: UUID!) { updateTimeEntry(input: {id: $id, projectId: $p}) { id } }",
    variables: (i) => ({ id: i.bobEntry, p: i.project }),
    expect: "BAD_USER_INPUT",
  },
  {
    field: "deleteProject",
    label: "A's project, its entries cleared",
    query: "mutation($id: UUID!) { deleteProject(id: $id, entries: CLEAR) }",
    variables: (i) => ({ id: i.project }),
    expect: "NOT_FOUND",
  },
  {
    field: "deleteProject",
    label: "B's project, its entries moved to A's project",
    query: "mutation($id: UUID!, $to: UUID!) { deleteProject(id: $id, entries: MOVE_TO, moveToProjectId: $to) }",
    variables: (i) => ({ id: i.bobProject, to: i.project }),
    expect: "BAD_USER_INPUT",
  },
  { field: "deleteTimeEntry", label: "A's entry", query: "mutation($id: UUID!) { deleteTimeEntry(id: $id) }", variables: (i) => ({ id: i.entry }), expect: "NOT_FOUND" },
  {
    field: "deleteTimeEntries",
    label: "the entries of A's integration and project",
    query: "mutation($i: UUID, $p: UUID) { a: deleteTimeEntries(filter: {integrationId: $i}) b: deleteTimeEntries(filter: {projectId: $p}) }",
    variables: (i) => ({ i: i.integration, p: i.project }),
    expect: "OK",
  },
  { field: "resetTimeEntry", label: "A's entry", query: "mutation($id: UUID!) { resetTimeEntry(id: $id) { id } }", variables: (i) => ({ id: i.entry }), expect: "NOT_FOUND" },
  {
    field: "restoreImportedEntries",
    label: "A's integration",
    query: "mutation($id: UUID!) { restoreImportedEntries(integrationId: $id) }",
    variables: (i) => ({ id: i.integration }),
    expect: "NOT_FOUND",
  },
  {
    field: "updateMe",
    label: "B's own zone, moving B's integrations",
    query: 'mutation { updateMe(input: {name: "Bob", timezone: "Asia/Tokyo", moveIntegrations: true}) { user { id timezone } movedIntegrationIds } }',
    variables: () => ({}),
    expect: "OK",
  },
  {
    field: "changePassword",
    label: "with A's password as the current one",
    query: "mutation($p: String!) { changePassword(currentPassword: $p, newPassword: \"a long new password\") }",
    variables: () => ({ p: ALICE_PASSWORD }),
    expect: "BAD_USER_INPUT",
  },
  {
    field: "signIn",
    label: "as A with a wrong password",
    query: 'mutation($e: String!) { signIn(email: $e, password: "guessing-guessing") { id email } }',
    variables: (i) => ({ e: i.email }),
    expect: "UNAUTHENTICATED",
  },
  { field: "signOut", label: "without a session of B's", query: "mutation { signOut }", variables: () => ({}), expect: "OK" },
  { field: "createApiToken", label: "own", query: 'mutation { createApiToken(name: "bob") { token apiToken { userId } } }', variables: () => ({}), expect: "OK" },
  { field: "createApiToken", label: "for A", query: 'mutation($u: UUID) { createApiToken(name: "pwned", userId: $u) { token } }', variables: (i) => ({ u: i.user }), expect: "FORBIDDEN" },
  { field: "revokeApiToken", label: "A's token", query: "mutation($id: UUID!) { revokeApiToken(id: $id) { id } }", variables: (i) => ({ id: i.token }), expect: "NOT_FOUND" },
  { field: "revokeSession", label: "A's session", query: "mutation($id: UUID!) { revokeSession(id: $id) }", variables: (i) => ({ id: i.session }), expect: "NOT_FOUND" },
  {
    field: "createUser",
    label: "(admins only)",
    query: 'mutation { createUser(input: {email: "sneaky@example.com", password: "a long password"}) { id } }',
    variables: () => ({}),
    expect: "FORBIDDEN",
  },
  { field: "setUserAdmin", label: "of A", query: "mutation($u: UUID!) { setUserAdmin(userId: $u, isAdmin: false) { id } }", variables: (i) => ({ u: i.user }), expect: "FORBIDDEN" },
  { field: "setUserAdmin", label: "of B", query: "mutation($u: UUID!) { setUserAdmin(userId: $u, isAdmin: true) { id } }", variables: (i) => ({ u: i.bobUser }), expect: "FORBIDDEN" },
  { field: "disableUser", label: "A", query: "mutation($u: UUID!) { disableUser(userId: $u) { id } }", variables: (i) => ({ u: i.user }), expect: "FORBIDDEN" },
];

describe("isolation matrix: user B against user A's data", () => {
  let api: TestApi;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  let foreign: Ids;
  let missing: Ids;
  /** A's CalDAV server: a loopback listener that must never receive a request from B's calls. */
  let caldav: http.Server;
  const caldavHits: string[] = [];

  /** Every row that is not B's own, so B creating its own rows (createProject) does not count. */
  const snapshotNotBob = async () => {
    const dump = await dumpAllTables(api.database.db);
    return Object.fromEntries(Object.entries(dump).map(([t, rows]) => [t, rows.filter((r) => !r.includes(bob.id) && !r.includes(foreign.bobIntegration))]));
  };

  beforeAll(async () => {
    caldav = http.createServer((req, res) => {
      caldavHits.push(`${req.method} ${req.url}`);
      res.writeHead(500).end();
    });
    await new Promise<void>((r) => caldav.listen(0, "127.0.0.1", r));
    const caldavUrl = `http://127.0.0.1:${(caldav.address() as AddressInfo).port}/alice/calendar/`;

    api = await startTestApi({ rateLimit: null });
    alice = await api.createUser("matrix-alice@example.com");
    bob = await api.createUser("matrix-bob@example.com");
    // A is an admin with a password and a signed-in browser: B must reach none of it.
    await api.services.users.setAdmin(alice.id, true);
    await api.services.users.setPassword(alice.id, ALICE_PASSWORD);
    const { session } = await api.services.users.sessions.create(alice.id, "Alice's browser");
    const [aliceToken] = await api.services.users.listTokens(alice.id);
    const gql = async (token: string, query: string, variables?: Record<string, unknown>) => {
      const res = await api.graphql(token, query, variables);
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return res.data!;
    };
    const project = (await gql(alice.token, 'mutation { createProject(input: {name: "Secret"}) { id } }')).createProject.id;
    const entry = (
      await gql(
        alice.token,
        'mutation($p: UUID!) { createTimeEntry(input: {startTime: "2026-01-05T09:00:00Z", endTime: "2026-01-05T10:00:00Z", projectId: $p, notes: "private"}) { id } }',
        { p: project },
      )
    ).createTimeEntry.id;
    const entryCursor = (await gql(alice.token, "{ timeEntries { edges { cursor } } }")).timeEntries.edges[0].cursor;
    const integration = (
      await gql(alice.token, "mutation($input: ConfigureCalDAVIntegrationInput!) { configureCalDAVIntegration(input: $input) { id } }", {
        input: { name: "Alice's secret calendar", calendarUrl: caldavUrl, username: "alice", password: "alice-password", defaultProjectId: project },
      })
    ).configureCalDAVIntegration.id;
    // A finished sync run of A's, written the way the engine does (no network needed).
    const { run } = await api.services.syncRuns.start(integration, "INCREMENTAL", "MANUAL");
    await api.services.syncRuns.failStaleRuns(new Date(Date.now() + 60_000), 0);
    const bobEntry = (await gql(bob.token, 'mutation { createTimeEntry(input: {startTime: "2026-01-06T09:00:00Z", endTime: "2026-01-06T10:00:00Z"}) { id } }'))
      .createTimeEntry.id;
    const bobIntegration = (
      await gql(bob.token, "mutation($input: ConfigureCalDAVIntegrationInput!) { configureCalDAVIntegration(input: $input) { id } }", {
        input: { calendarUrl: "http://127.0.0.1:9/b/", username: "b", password: "b" },
      })
    ).configureCalDAVIntegration.id;
    const bobProject = (await gql(bob.token, 'mutation { createProject(input: {name: "Bob\'s"}) { id } }')).createProject.id;
    foreign = { integration, run: run.id, entry, project, entryCursor, bobEntry, bobIntegration, bobProject, user: alice.id, bobUser: bob.id, email: "matrix-alice@example.com", token: aliceToken!.id, session: session.id };
    missing = {
      ...foreign,
      integration: MISSING,
      run: MISSING,
      entry: MISSING,
      project: MISSING,
      entryCursor: "bm90LWEtY3Vyc29y",
      user: MISSING,
      email: "matrix-nobody@example.com",
      token: MISSING,
      session: MISSING,
    };
  });
  afterAll(async () => {
    await api?.close();
    await new Promise((r) => caldav?.close(r));
  });

  it("covers every query and mutation of the schema", () => {
    const covered = [...new Set(ATTEMPTS.map((a) => a.field))].sort();
    expect(covered).toEqual([...schemaFields("Query"), ...schemaFields("Mutation")].sort());
  });

  it.each(ATTEMPTS.map((a) => [`${a.field} (${a.label})`, a] as const))("B: %s", async (_name, attempt) => {
    const before = await snapshotNotBob();
    const res: GraphQLResponse = await api.graphql(bob.token, attempt.query, attempt.variables(foreign));
    const text = JSON.stringify(res);
    const secrets = ["private", "Secret\"", "Alice's secret", "alice-password", ALICE_PASSWORD, "Alice's browser", alice.id, foreign.integration, foreign.entry, foreign.run, foreign.token, foreign.session, "matrix-alice"];
    for (const secret of secrets) {
      if (attempt.expect === "OK" && secret === 'Secret"') continue; // B's own project of that name
      expect(text).not.toContain(secret);
    }
    if (REFUSALS.includes(attempt.expect)) {
      expect(res.errors?.[0]?.extensions?.code, text).toBe(attempt.expect);
      // exactly what an id that does not exist gets
      const absent = await api.graphql(bob.token, attempt.query, attempt.variables(missing));
      expect(res.errors?.map((e) => [e.message, e.extensions])).toEqual(absent.errors?.map((e) => [e.message, e.extensions]));
      expect(res.data ?? null).toEqual(absent.data ?? null);
    } else {
      expect(res.errors, text).toBeUndefined();
    }
    if (attempt.field === "me") expect(res.data?.me.id).toBe(bob.id);
    expect(await snapshotNotBob()).toEqual(before);
    expect(caldavHits).toEqual([]);
  });

  it("A still sees all of A's data, unchanged", async () => {
    const res = await api.graphql(alice.token, `query($id: UUID!) { integration(id: $id) { name } timeEntries { totalCount } projects { name archived } syncRuns(integrationId: $id) { edges { node { id } } } }`, {
      id: foreign.integration,
    });
    expect(res.data).toEqual({
      integration: { name: "Alice's secret calendar" },
      timeEntries: { totalCount: 1 },
      projects: [{ name: "Secret", archived: false }],
      syncRuns: { edges: [{ node: { id: foreign.run } }] },
    });
  });
});
