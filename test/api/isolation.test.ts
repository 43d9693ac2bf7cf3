import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../helpers/api.js";

/**
 * User B addresses every query and mutation at user A's rows by id. Each attempt must fail in a
 * way that does not reveal whether the id exists, and A's data must be unchanged afterwards.
 */
describe("isolation between users", () => {
  let api: TestApi;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  let aliceProject: string;
  let aliceEntry: string;
  let bobEntry: string;

  const snapshotOfAlice = async () => ({
    projects: (await api.graphql(alice.token, "{ projects(includeArchived: true) { id name archived updatedAt } }")).data,
    entries: (await api.graphql(alice.token, "{ timeEntries(first: 100) { totalCount edges { node { id projectId startTime endTime notes updatedAt } } } }")).data,
  });

  beforeAll(async () => {
    api = await startTestApi();
    alice = await api.createUser("alice@example.com");
    bob = await api.createUser("bob@example.com");
    aliceProject = (await api.graphql(alice.token, 'mutation { createProject(input: {name: "Secret"}) { id } }')).data?.createProject.id;
    aliceEntry = (
      await api.graphql(alice.token, `mutation($p: UUID!) { createTimeEntry(input: {startTime: "2026-01-05T09:00:00Z", endTime: "2026-01-05T10:00:00Z", projectId: $p, notes: "private"}) { id } }`, {
        p: aliceProject,
      })
    ).data?.createTimeEntry.id;
    bobEntry = (await api.graphql(bob.token, 'mutation { createTimeEntry(input: {startTime: "2026-01-06T09:00:00Z", endTime: "2026-01-06T10:00:00Z"}) { id } }')).data
      ?.createTimeEntry.id;
  });
  afterAll(() => api.close());

  const attempts: [string, string, () => Record<string, unknown>, string][] = [
    ["timeEntry", "query($id: UUID!) { timeEntry(id: $id) { id notes } }", () => ({ id: aliceEntry }), "NOT_FOUND"],
    ["updateTimeEntry", 'mutation($id: UUID!) { updateTimeEntry(input: {id: $id, notes: "pwned"}) { id } }', () => ({ id: aliceEntry }), "NOT_FOUND"],
    ["deleteTimeEntry", "mutation($id: UUID!) { deleteTimeEntry(id: $id) }", () => ({ id: aliceEntry }), "NOT_FOUND"],
    ["updateProject (rename)", 'mutation($id: UUID!) { updateProject(input: {id: $id, name: "Mine"}) { id } }', () => ({ id: aliceProject }), "NOT_FOUND"],
    ["updateProject (archive)", "mutation($id: UUID!) { updateProject(input: {id: $id, archived: true}) { id } }", () => ({ id: aliceProject }), "NOT_FOUND"],
    [
      "createTimeEntry on A's project",
      'mutation($p: UUID!) { createTimeEntry(input: {startTime: "2026-01-07T09:00:00Z", endTime: "2026-01-07T10:00:00Z", projectId: $p}) { id } }',
      () => ({ p: aliceProject }),
      "BAD_USER_INPUT",
    ],
    ["updateTimeEntry onto A's project", "mutation($id: UUID!, $p: UUID!) { updateTimeEntry(input: {id: $id, projectId: $p}) { id } }", () => ({ id: bobEntry, p: aliceProject }), "BAD_USER_INPUT"],
    ["timeEntries filtered by A's project", "query($p: UUID!) { timeEntries(filter: {projectId: $p}) { totalCount edges { node { id } } } }", () => ({ p: aliceProject }), "EMPTY"],
  ];

  it.each(attempts)("B cannot reach A's data through %s", async (_name, query, variables, expected) => {
    const before = await snapshotOfAlice();
    const res = await api.graphql(bob.token, query, variables());
    if (expected === "EMPTY") {
      expect(res.errors).toBeUndefined();
      expect(res.data?.timeEntries).toEqual({ totalCount: 0, edges: [] });
    } else {
      expect(res.errors?.[0]?.extensions?.code).toBe(expected);
      expect(JSON.stringify(res)).not.toContain("private");
      expect(JSON.stringify(res)).not.toContain("Secret");
    }
    expect(await snapshotOfAlice()).toEqual(before);
  });

  it("answers the same for A's ids as for ids that do not exist", async () => {
    const missing = "00000000-0000-4000-8000-000000000000";
    const q = "query($id: UUID!) { timeEntry(id: $id) { id } }";
    const foreign = await api.graphql(bob.token, q, { id: aliceEntry });
    const absent = await api.graphql(bob.token, q, { id: missing });
    expect(foreign.errors?.[0]?.message).toBe(absent.errors?.[0]?.message);
    expect(foreign.errors?.[0]?.extensions).toEqual(absent.errors?.[0]?.extensions);
  });

  it("lists only the caller's own rows", async () => {
    const projects = (await api.graphql(bob.token, "{ projects(includeArchived: true) { id } }")).data?.projects;
    expect(projects).toEqual([]);
    const entries = (await api.graphql(bob.token, "{ timeEntries { totalCount edges { node { id } } } }")).data?.timeEntries;
    expect(entries).toEqual({ totalCount: 1, edges: [{ node: { id: bobEntry } }] });
    expect((await api.graphql(bob.token, "{ me { id } }")).data?.me.id).toBe(bob.id);
  });
});
