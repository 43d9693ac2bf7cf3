import { eq } from "drizzle-orm";
import { afterAll, beforeEach, beforeAll, describe, expect, it } from "vitest";
import { integrationCalendars, integrations, projects, timeEntries } from "../../src/db/schema.js";
import { startTestApi, type TestApi } from "../helpers/api.js";

const DELETE = "mutation($id: UUID!, $entries: ProjectUsesOnDelete, $to: UUID) { deleteProject(id: $id, entries: $entries, moveToProjectId: $to) }";
const CALENDAR = "http://127.0.0.1:9/cal/";

describe("deleteProject", () => {
  let api: TestApi;
  let user: { id: string; token: string };
  let doomed: string;
  let other: string;
  let manualEntry: string;
  let importedEntry: string;
  let integration: string;

  const gql = async (query: string, variables?: Record<string, unknown>) => {
    const res = await api.graphql(user.token, query, variables);
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data!;
  };
  const createProject = async (name: string) => (await gql("mutation($n: String!) { createProject(input: {name: $n}) { id } }", { n: name })).createProject.id as string;
  /** What the database holds, read apart from the API. */
  const state = async () => {
    const db = api.database.db;
    const entries = await db.select().from(timeEntries).where(eq(timeEntries.userId, user.id));
    const [integrationRow] = await db.select().from(integrations).where(eq(integrations.id, integration));
    const [calendar] = await db.select().from(integrationCalendars).where(eq(integrationCalendars.integrationId, integration));
    const names = (await db.select().from(projects).where(eq(projects.userId, user.id))).map((p) => p.name).sort();
    const entry = (id: string) => entries.find((e) => e.id === id)!;
    return {
      names,
      manual: { projectId: entry(manualEntry).projectId, edited: entry(manualEntry).projectEdited },
      imported: { projectId: entry(importedEntry).projectId, edited: entry(importedEntry).projectEdited },
      integrationDefault: integrationRow!.defaultProjectId,
      calendarDefault: calendar!.defaultProjectId,
    };
  };

  beforeAll(async () => {
    api = await startTestApi();
    user = await api.createUser("deleter@example.com");
  });
  afterAll(() => api.close());

  // Each case starts from a project used by a manual entry, an imported entry, an integration and a calendar.
  beforeEach(async () => {
    await api.database.db.delete(integrations).where(eq(integrations.userId, user.id));
    await api.database.db.delete(timeEntries).where(eq(timeEntries.userId, user.id));
    await api.database.db.delete(projects).where(eq(projects.userId, user.id));
    doomed = await createProject("Doomed");
    other = await createProject("Other");
    manualEntry = (
      await gql('mutation($p: UUID) { createTimeEntry(input: {startTime: "2026-02-02T09:00:00Z", endTime: "2026-02-02T10:00:00Z", projectId: $p}) { id } }', { p: doomed })
    ).createTimeEntry.id;
    // As the sync writes an imported entry.
    const [row] = await api.database.db
      .insert(timeEntries)
      .values({ userId: user.id, projectId: doomed, startTime: new Date("2026-02-03T09:00:00Z"), endTime: new Date("2026-02-03T11:00:00Z"), durationSeconds: 7200, source: "auto", matchedBy: "TITLE" })
      .returning();
    importedEntry = row!.id;
    integration = (
      await gql("mutation($input: ConfigureCalDAVIntegrationInput!) { configureCalDAVIntegration(input: $input) { id } }", {
        input: { calendarUrl: CALENDAR, username: "u", password: "p", defaultProjectId: doomed, calendars: [{ url: CALENDAR, selected: true, defaultProjectId: doomed }] },
      })
    ).configureCalDAVIntegration.id;
  });

  it("refuses while the project is used, says by what and how to go on, and changes nothing", async () => {
    const before = await state();
    const res = await api.graphql(user.token, DELETE, { id: doomed });
    expect(res.errors?.[0]?.extensions).toEqual({ code: "CONFLICT", entryCount: 2, integrationCount: 1, calendarCount: 1 });
    expect(res.errors?.[0]?.message).toBe(
      'Project "Doomed" is still used by 2 time entries and the default of 1 integration and the default of 1 calendar: delete it with entries: MOVE_TO and moveToProjectId to move them to another project, or with entries: CLEAR to leave them without a project.',
    );
    expect(await state()).toEqual(before);
  });

  it("MOVE_TO hands entries and defaults to the other project; the imported entry counts as edited", async () => {
    expect((await api.graphql(user.token, DELETE, { id: doomed, entries: "MOVE_TO", to: other })).data?.deleteProject).toBe(true);
    expect(await state()).toEqual({
      names: ["Other"],
      manual: { projectId: other, edited: false },
      imported: { projectId: other, edited: true },
      integrationDefault: other,
      calendarDefault: other,
    });
  });

  it("CLEAR leaves entries and defaults without a project", async () => {
    expect((await api.graphql(user.token, DELETE, { id: doomed, entries: "CLEAR" })).data?.deleteProject).toBe(true);
    expect(await state()).toEqual({
      names: ["Other"],
      manual: { projectId: null, edited: false },
      imported: { projectId: null, edited: true },
      integrationDefault: null,
      calendarDefault: null,
    });
  });

  it("deletes an unused project without being told anything", async () => {
    const unused = await createProject("Unused");
    expect((await api.graphql(user.token, DELETE, { id: unused })).data?.deleteProject).toBe(true);
    expect((await state()).names).toEqual(["Doomed", "Other"]);
  });

  it.each([
    ["MOVE_TO without a target", () => ({ entries: "MOVE_TO" })],
    ["MOVE_TO onto itself", () => ({ entries: "MOVE_TO", to: doomed })],
    ["MOVE_TO onto a project that does not exist", () => ({ entries: "MOVE_TO", to: "00000000-0000-4000-8000-000000000000" })],
    ["a target with CLEAR", () => ({ entries: "CLEAR", to: other })],
  ])("refuses %s as BAD_USER_INPUT on moveToProjectId, changing nothing", async (_label, args) => {
    const before = await state();
    const res = await api.graphql(user.token, DELETE, { id: doomed, ...args() });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "moveToProjectId" });
    expect(await state()).toEqual(before);
  });

  it("refuses to move onto an archived project", async () => {
    await gql("mutation($id: UUID!) { updateProject(input: {id: $id, archived: true}) { id } }", { id: other });
    const res = await api.graphql(user.token, DELETE, { id: doomed, entries: "MOVE_TO", to: other });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "moveToProjectId" });
  });

  it("answers NOT_FOUND for an unknown project", async () => {
    const res = await api.graphql(user.token, DELETE, { id: "00000000-0000-4000-8000-000000000000", entries: "CLEAR" });
    expect(res.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });
});
