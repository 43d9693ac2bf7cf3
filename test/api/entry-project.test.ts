import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../helpers/api.js";
import { countStatements } from "../helpers/query-count.js";

const PAGE = "query($first: Int!) { timeEntries(first: $first) { edges { node { id projectId project { id name archived } } } } }";

describe("TimeEntry.project", () => {
  let api: TestApi;
  let token: string;
  /** What each entry was created with: the oracle for the page. */
  const projectNameOfEntry = new Map<string, string | null>();

  beforeAll(async () => {
    api = await startTestApi();
    ({ token } = await api.createUser("projects-of-entries@example.com"));
    const names = ["Alpha", "Beta", "Gamma", "Delta", "Epsilon"];
    const ids: string[] = [];
    for (const name of names) ids.push((await api.graphql(token, "mutation($n: String!) { createProject(input: {name: $n}) { id } }", { n: name })).data?.createProject.id);
    for (let i = 0; i < 40; i++) {
      const project = i % 6 === 5 ? null : i % 6;
      const start = new Date(Date.UTC(2026, 0, 1 + i, 9));
      const res = await api.graphql(token, "mutation($input: CreateTimeEntryInput!) { createTimeEntry(input: $input) { id } }", {
        input: { startTime: start.toISOString(), endTime: new Date(start.getTime() + 3_600_000).toISOString(), projectId: project === null ? null : ids[project] },
      });
      projectNameOfEntry.set(res.data?.createTimeEntry.id, project === null ? null : names[project]!);
    }
  });
  afterAll(() => api.close());

  it("gives each entry its project object, and null without one", async () => {
    const res = await api.graphql(token, PAGE, { first: 100 });
    expect(res.errors).toBeUndefined();
    const nodes = res.data?.timeEntries.edges.map((e: { node: unknown }) => e.node) as { id: string; projectId: string | null; project: { id: string; name: string } | null }[];
    expect(nodes).toHaveLength(40);
    for (const node of nodes) {
      expect(node.project?.name ?? null).toBe(projectNameOfEntry.get(node.id));
      expect(node.project?.id ?? null).toBe(node.projectId);
    }
  });

  it("loads the projects of a page in one query, however many entries it holds", async () => {
    for (const first of [2, 40]) {
      const statements = await countStatements(api.database.db, () => api.graphql(token, PAGE, { first }));
      expect(statements.filter((s) => /from "projects"/.test(s))).toHaveLength(1);
    }
  });
});
