import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { integrations } from "../../src/db/schema.js";
import { STALE_RUN_MS, SyncRunStore } from "../../src/sync/runs.js";
import { startTestApi, type TestApi } from "../helpers/api.js";

describe("sync runs: history and the per-integration lock", () => {
  let api: TestApi;
  let store: SyncRunStore;
  let integrationId: string;
  let token: string;

  beforeAll(async () => {
    api = await startTestApi();
    store = new SyncRunStore(api.database.db);
    ({ token } = await api.createUser("runs@example.com"));
    integrationId = (
      await api.graphql(token, 'mutation { configureCalDAVIntegration(input: {calendarUrl: "https://dav.example.com/c/", username: "u", password: "p"}) { id } }')
    ).data?.configureCalDAVIntegration.id;
  });
  afterAll(() => api.close());

  const result = { status: "SUCCESS" as const, message: "ok", objectsFetched: 0, occurrencesSeen: 0, entriesCreated: 0, entriesUpdated: 0, entriesDeleted: 0, entriesUnchanged: 0, conflictsKept: 0, withheldDeletions: 0, skipped: {}, requests: 1, bytesReceived: 0, errors: [], warnings: [], errorCode: null, retryAfterMs: null, calendars: [] };

  it("lets one run at a time hold an integration; a second start joins it", async () => {
    const first = await store.start(integrationId, "INCREMENTAL", "MANUAL");
    const second = await store.start(integrationId, "FULL", "MANUAL");
    expect(first.started).toBe(true);
    expect(second).toEqual({ run: first.run, started: false });
    const finished = await store.finish(first.run, result);
    expect(finished.status).toBe("SUCCESS");
    expect((await store.start(integrationId, "INCREMENTAL", "MANUAL")).started).toBe(true);
  });

  it("takes over from a run whose heartbeat stopped, marking it interrupted", async () => {
    const later = new Date(Date.now() + STALE_RUN_MS + 1_000);
    const { run, started } = await store.start(integrationId, "INCREMENTAL", "SCHEDULED", later);
    expect(started).toBe(true);
    const history = await store.list(integrationId, 10, null);
    const interrupted = history.runs.find((r) => r.id !== run.id && r.status === "ERROR");
    expect(interrupted?.message).toMatch(/Interrupted/);
    const [row] = await api.database.db.select().from(integrations);
    expect(row?.lastSyncStatus).toBe("ERROR");
    await store.finish(run, result);
  });

  it("fails RUNNING runs at start-up when asked to, and pages the history newest first", async () => {
    await store.start(integrationId, "INCREMENTAL", "MANUAL");
    expect(await store.failStaleRuns(new Date(Date.now() + 1), 0)).toBe(1);
    const all = await store.list(integrationId, 100, null);
    expect(all.runs.every((r) => r.status !== "RUNNING")).toBe(true);
    const page1 = await store.list(integrationId, 2, null);
    const page2 = await store.list(integrationId, 2, page1.runs.at(-1)!.id);
    expect([...page1.runs, ...page2.runs].map((r) => r.id)).toEqual(all.runs.slice(0, 4).map((r) => r.id));
    expect(page1.hasNextPage).toBe(true);
  });

  it("answers syncRuns through the API, and not to another user", async () => {
    const res = await api.graphql(token, "query($id: UUID!) { syncRuns(integrationId: $id, first: 2) { edges { node { id status } } pageInfo { hasNextPage } } }", { id: integrationId });
    expect(res.data?.syncRuns.edges).toHaveLength(2);
    expect(res.data?.syncRuns.pageInfo.hasNextPage).toBe(true);
    // lastSyncRun of every integration in a list comes from one batched query.
    const second = (await api.graphql(token, 'mutation { configureCalDAVIntegration(input: {calendarUrl: "https://dav.example.com/d/", username: "u", password: "p"}) { id } }')).data
      ?.configureCalDAVIntegration.id;
    const list = await api.graphql(token, "{ integrations { id lastSyncRun { id } } }");
    expect(list.data?.integrations).toEqual([
      { id: integrationId, lastSyncRun: { id: res.data?.syncRuns.edges[0].node.id } },
      { id: second, lastSyncRun: null },
    ]);
    const other = await api.createUser("stranger@example.com");
    for (const query of [
      "query($id: UUID!) { syncRuns(integrationId: $id) { edges { node { id } } } }",
      "mutation($id: UUID!) { syncNow(integrationId: $id) { id } }",
    ]) {
      expect((await api.graphql(other.token, query, { id: integrationId })).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    }
  });
});
