import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../helpers/api.js";
import { dumpAllTables } from "./db-dump.js";

/**
 * Found by test/hardening/fuzz.test.ts: PostgreSQL text cannot hold U+0000, so a NUL character in
 * a string input reaches the database and fails there as an INTERNAL_SERVER_ERROR instead of being
 * refused as BAD_USER_INPUT (fix: refuse "\u0000" in validateText / the services' text checks).
 */
const NUL = "a\u0000b";

describe("a NUL character in text input", () => {
  let api: TestApi;
  let token: string;
  let projectId: string;
  let entryId: string;
  let integrationId: string;

  beforeAll(async () => {
    api = await startTestApi({ caldav: { allowPrivateNetworks: false } });
    ({ token } = await api.createUser("nul@example.com"));
    projectId = (await api.graphql(token, 'mutation { createProject(input: {name: "P"}) { id } }')).data?.createProject.id;
    entryId = (await api.graphql(token, 'mutation { createTimeEntry(input: {startTime: "2026-01-05T09:00:00Z", endTime: "2026-01-05T10:00:00Z"}) { id } }')).data?.createTimeEntry
      .id;
    integrationId = (
      await api.graphql(token, "mutation($input: ConfigureCalDAVIntegrationInput!) { configureCalDAVIntegration(input: $input) { id } }", {
        input: { calendarUrl: "http://127.0.0.1:9/cal/", username: "u", password: "p" },
      })
    ).data?.configureCalDAVIntegration.id;
  });
  afterAll(() => api?.close());

  const cases: [string, string, () => Record<string, unknown>][] = [
    ["createProject name", "mutation($input: CreateProjectInput!) { createProject(input: $input) { id } }", () => ({ input: { name: NUL } })],
    ["updateProject name", "mutation($input: UpdateProjectInput!) { updateProject(input: $input) { id } }", () => ({ input: { id: projectId, name: NUL } })],
    [
      "createTimeEntry notes",
      "mutation($input: CreateTimeEntryInput!) { createTimeEntry(input: $input) { id } }",
      () => ({ input: { startTime: "2026-01-06T09:00:00Z", endTime: "2026-01-06T10:00:00Z", notes: NUL } }),
    ],
    ["updateTimeEntry notes", "mutation($input: UpdateTimeEntryInput!) { updateTimeEntry(input: $input) { id } }", () => ({ input: { id: entryId, notes: NUL } })],
    [
      "configureCalDAVIntegration name",
      "mutation($input: ConfigureCalDAVIntegrationInput!) { configureCalDAVIntegration(input: $input) { id } }",
      () => ({ input: { id: integrationId, name: NUL } }),
    ],
    [
      "configureCalDAVIntegration username",
      "mutation($input: ConfigureCalDAVIntegrationInput!) { configureCalDAVIntegration(input: $input) { id } }",
      () => ({ input: { id: integrationId, username: NUL } }),
    ],
  ];

  it.each(cases)("%s is refused as BAD_USER_INPUT, not an internal error", async (_label, query, variables) => {
    const before = await dumpAllTables(api.database.db);
    const res = await api.graphql(token, query, variables());
    expect(res.errors?.[0]?.extensions?.code, JSON.stringify(res)).toBe("BAD_USER_INPUT");
    expect(await dumpAllTables(api.database.db)).toEqual(before);
  });
});
