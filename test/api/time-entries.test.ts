import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type GraphQLResponse, type TestApi } from "../helpers/api.js";

const CREATE = `mutation($input: CreateTimeEntryInput!) {
  createTimeEntry(input: $input) { id projectId startTime endTime durationSeconds notes source }
}`;
const UPDATE = `mutation($input: UpdateTimeEntryInput!) {
  updateTimeEntry(input: $input) { id projectId startTime endTime durationSeconds notes }
}`;
const PAGE = `query($first: Int!, $after: String, $filter: TimeEntryFilterInput) {
  timeEntries(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id startTime notes } }
  }
}`;

describe("time entries", () => {
  let api: TestApi;
  let token: string;
  let projectId: string;

  beforeAll(async () => {
    api = await startTestApi();
    ({ token } = await api.createUser("worker@example.com"));
    projectId = (await api.graphql(token, 'mutation { createProject(input: {name: "Client A"}) { id } }')).data?.createProject.id;
  });
  afterAll(() => api.close());

  it("creates an entry with its duration, as a manual entry", async () => {
    const res = await api.graphql(token, CREATE, {
      input: { startTime: "2026-03-02T09:00:00+01:00", endTime: "2026-03-02T10:30:00+01:00", projectId, notes: "Planning" },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data?.createTimeEntry).toMatchObject({
      projectId,
      startTime: "2026-03-02T08:00:00.000Z",
      endTime: "2026-03-02T09:30:00.000Z",
      durationSeconds: 5400,
      notes: "Planning",
      source: "MANUAL",
    });
  });

  it("updates times (recomputing the duration), notes and project, and clears the project with null", async () => {
    const created = (await api.graphql(token, CREATE, { input: { startTime: "2026-03-03T09:00:00Z", endTime: "2026-03-03T10:00:00Z" } }))
      .data?.createTimeEntry;
    const moved = await api.graphql(token, UPDATE, { input: { id: created.id, endTime: "2026-03-03T11:15:00Z", notes: "Longer", projectId } });
    expect(moved.data?.updateTimeEntry).toMatchObject({ durationSeconds: 8100, notes: "Longer", projectId });
    const cleared = await api.graphql(token, UPDATE, { input: { id: created.id, projectId: null } });
    expect(cleared.data?.updateTimeEntry).toMatchObject({ projectId: null, notes: "Longer", durationSeconds: 8100 });
  });

  it.each([
    ["end before start", { startTime: "2026-03-02T10:00:00Z", endTime: "2026-03-02T09:00:00Z" }, "endTime"],
    ["zero length", { startTime: "2026-03-02T10:00:00Z", endTime: "2026-03-02T10:00:00Z" }, "endTime"],
    ["over-long notes", { startTime: "2026-03-02T09:00:00Z", endTime: "2026-03-02T10:00:00Z", notes: "n".repeat(10_001) }, "notes"],
    ["an unknown project", { startTime: "2026-03-02T09:00:00Z", endTime: "2026-03-02T10:00:00Z", projectId: "00000000-0000-4000-8000-000000000000" }, "projectId"],
  ])("refuses %s with BAD_USER_INPUT and writes nothing", async (_label, input, field) => {
    const before = (await api.graphql(token, PAGE, { first: 1 })).data?.timeEntries.totalCount;
    const res = await api.graphql(token, CREATE, { input });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
    expect((await api.graphql(token, PAGE, { first: 1 })).data?.timeEntries.totalCount).toBe(before);
  });

  it("refuses a time without an offset (DateTime must be unambiguous)", async () => {
    const res = await api.graphql(token, CREATE, { input: { startTime: "2026-03-02T09:00:00", endTime: "2026-03-02T10:00:00Z" } });
    expect(res.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("deletes an entry; a second delete is NOT_FOUND", async () => {
    const id = (await api.graphql(token, CREATE, { input: { startTime: "2026-01-01T09:00:00Z", endTime: "2026-01-01T10:00:00Z" } })).data
      ?.createTimeEntry.id;
    const del = "mutation($id: UUID!) { deleteTimeEntry(id: $id) }";
    expect((await api.graphql(token, del, { id })).data?.deleteTimeEntry).toBe(true);
    expect((await api.graphql(token, del, { id })).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });
});

describe("time entry pagination", () => {
  let api: TestApi;
  let token: string;

  beforeAll(async () => {
    api = await startTestApi();
    ({ token } = await api.createUser("pager@example.com"));
    // 25 entries, two of them sharing a start time so the id tie-break is exercised.
    for (let i = 0; i < 25; i++) {
      const day = String(1 + Math.min(i, 23)).padStart(2, "0");
      await api.graphql(token, CREATE, {
        input: { startTime: `2026-05-${day}T09:00:00Z`, endTime: `2026-05-${day}T10:00:00Z`, notes: `entry ${i}` },
      });
    }
  });
  afterAll(() => api.close());

  it("walks all entries newest first, each exactly once", async () => {
    const seen: string[] = [];
    const starts: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const res: GraphQLResponse = await api.graphql(token, PAGE, { first: 10, after });
      const conn = res.data?.timeEntries;
      expect(conn.totalCount).toBe(25);
      seen.push(...conn.edges.map((e: { node: { id: string } }) => e.node.id));
      starts.push(...conn.edges.map((e: { node: { startTime: string } }) => e.node.startTime));
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    expect([...starts].sort().reverse()).toEqual(starts);
  });

  it("filters by start time range and counts the filtered set", async () => {
    const res = await api.graphql(token, PAGE, { first: 100, filter: { from: "2026-05-10T00:00:00Z", to: "2026-05-15T00:00:00Z" } });
    expect(res.data?.timeEntries.totalCount).toBe(5);
    expect(res.data?.timeEntries.edges.map((e: { node: { startTime: string } }) => e.node.startTime.slice(0, 10))).toEqual([
      "2026-05-14",
      "2026-05-13",
      "2026-05-12",
      "2026-05-11",
      "2026-05-10",
    ]);
  });

  it("refuses a forged cursor and an out-of-range page size", async () => {
    const forged = await api.graphql(token, PAGE, { first: 10, after: "not-a-cursor" });
    expect(forged.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "after" });
    for (const first of [0, 501]) {
      const res = await api.graphql(token, PAGE, { first });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "first" });
    }
  });
});
