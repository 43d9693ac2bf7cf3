import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../helpers/api.js";

const RUN = "query($id: UUID!) { syncRun(id: $id) { id integrationId status message finishedAt } }";

describe("syncRun(id)", () => {
  let api: TestApi;
  let owner: { id: string; token: string };
  let integrationId: string;

  beforeAll(async () => {
    api = await startTestApi();
    owner = await api.createUser("poller@example.com");
    integrationId = (
      await api.graphql(owner.token, "mutation($input: ConfigureCalDAVIntegrationInput!) { configureCalDAVIntegration(input: $input) { id } }", {
        input: { calendarUrl: "http://127.0.0.1:9/cal/", username: "u", password: "p" },
      })
    ).data?.configureCalDAVIntegration.id;
  });
  afterAll(() => api.close());

  it("follows one run from RUNNING to its outcome", async () => {
    // Started and ended as the engine's run store does, without a CalDAV server.
    const { run } = await api.services.syncRuns.start(integrationId, "INCREMENTAL", "MANUAL");
    expect((await api.graphql(owner.token, RUN, { id: run.id })).data?.syncRun).toEqual({ id: run.id, integrationId, status: "RUNNING", message: null, finishedAt: null });

    await api.services.syncRuns.failStaleRuns(new Date(Date.now() + 60_000), 0);
    const finished = (await api.graphql(owner.token, RUN, { id: run.id })).data?.syncRun;
    expect(finished).toMatchObject({ id: run.id, status: "ERROR" });
    expect(finished.message).toMatch(/^Interrupted/);
    expect(finished.finishedAt).not.toBeNull();
  });

  it("answers another user exactly as for a run that does not exist", async () => {
    const { run } = await api.services.syncRuns.start(integrationId, "FULL", "MANUAL");
    const stranger = await api.createUser("stranger-poller@example.com");
    const foreign = await api.graphql(stranger.token, RUN, { id: run.id });
    const missing = await api.graphql(stranger.token, RUN, { id: "00000000-0000-4000-8000-000000000000" });
    expect(foreign.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    expect(foreign.errors?.map((e) => [e.message, e.extensions])).toEqual(missing.errors?.map((e) => [e.message, e.extensions]));
    expect(JSON.stringify(foreign)).not.toContain(run.id);
  });
});
