import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../helpers/api.js";

const FIELDS = "id name serverUrl calendarUrl username verifySsl defaultProjectId lookbackDays lookaheadDays timezone importAllDay autoSyncIntervalMinutes";
const CONFIGURE = `mutation($input: ConfigureCalDAVIntegrationInput!) { configureCalDAVIntegration(input: $input) { ${FIELDS} } }`;
const PASSWORD = "correct horse battery staple";

describe("CalDAV integrations (settings)", () => {
  let api: TestApi;
  let user: { id: string; token: string };
  let projectId: string;

  beforeAll(async () => {
    api = await startTestApi();
    user = await api.createUser("cal@example.com", "Europe/Berlin");
    projectId = (await api.graphql(user.token, 'mutation { createProject(input: {name: "Meetings"}) { id } }')).data?.createProject.id;
  });
  afterAll(() => api.close());

  it("creates an integration with defaults, and never returns the password", async () => {
    const res = await api.graphql(user.token, CONFIGURE, {
      input: { serverUrl: "cloud.example.com/remote.php/dav", username: "alice", password: PASSWORD, defaultProjectId: projectId },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data?.configureCalDAVIntegration).toMatchObject({
      name: "CalDAV",
      serverUrl: "https://cloud.example.com/remote.php/dav",
      calendarUrl: null,
      username: "alice",
      verifySsl: true,
      defaultProjectId: projectId,
      lookbackDays: 90,
      lookaheadDays: 0,
      timezone: "Europe/Berlin",
      importAllDay: false,
      autoSyncIntervalMinutes: null,
    });
    expect(JSON.stringify(res)).not.toContain(PASSWORD);
  });

  it("stores the password as AES-GCM ciphertext only", async () => {
    const id = (await api.graphql(user.token, CONFIGURE, { input: { calendarUrl: "https://dav.example.com/cal/", username: "bob", password: PASSWORD } })).data
      ?.configureCalDAVIntegration.id;
    const raw = await api.database.db.execute(sql`select * from integrations where id = ${id}`);
    const rows = (Array.isArray(raw) ? raw : (raw as { rows: unknown[] }).rows) as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows[0])).not.toContain(PASSWORD);
    expect(rows[0]!.password_ciphertext).toMatch(/^ck1\.[\w-]{8}\.[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it("makes a direct calendar URL one selected calendar", async () => {
    const id = (await api.graphql(user.token, CONFIGURE, { input: { calendarUrl: "https://dav.example.com/work/", username: "c", password: "p" } })).data
      ?.configureCalDAVIntegration.id;
    const cals = await api.graphql(user.token, "query($id: UUID!) { calendars(integrationId: $id) { url selected } }", { id });
    expect(cals.data?.calendars).toEqual([{ url: "https://dav.example.com/work/", selected: true }]);
  });

  it("updates without a password and keeps the stored one; selects calendars with their own project", async () => {
    const created = (await api.graphql(user.token, CONFIGURE, { input: { serverUrl: "https://dav.example.com/", username: "d", password: PASSWORD } })).data
      ?.configureCalDAVIntegration;
    const before = await api.database.db.execute(sql`select password_ciphertext from integrations where id = ${created.id}`);
    const res = await api.graphql(user.token, CONFIGURE, {
      input: {
        id: created.id,
        name: "Work",
        lookbackDays: 30,
        autoSyncIntervalMinutes: 60,
        calendars: [
          { url: "https://dav.example.com/d/work/", selected: true, defaultProjectId: projectId },
          { url: "https://dav.example.com/d/private/", selected: false },
        ],
      },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data?.configureCalDAVIntegration).toMatchObject({ name: "Work", lookbackDays: 30, autoSyncIntervalMinutes: 60, username: "d" });
    const after = await api.database.db.execute(sql`select password_ciphertext from integrations where id = ${created.id}`);
    expect(JSON.stringify(after)).toBe(JSON.stringify(before));
    const cals = await api.graphql(user.token, "query($id: UUID!) { calendars(integrationId: $id) { url selected defaultProjectId } }", { id: created.id });
    expect(cals.data?.calendars).toEqual(
      expect.arrayContaining([
        { url: "https://dav.example.com/d/work/", selected: true, defaultProjectId: projectId },
        { url: "https://dav.example.com/d/private/", selected: false, defaultProjectId: null },
      ]),
    );
  });

  it.each([
    ["no URL at all", { username: "u", password: "p" }, "serverUrl"],
    ["a non-http scheme", { serverUrl: "ftp://example.com/", username: "u", password: "p" }, "serverUrl"],
    ["credentials inside the URL", { serverUrl: "https://u:p@example.com/", username: "u", password: "p" }, "serverUrl"],
    ["no password on create", { serverUrl: "https://example.com/", username: "u" }, "password"],
    ["no username on create", { serverUrl: "https://example.com/", password: "p" }, "username"],
    ["lookbackDays 0", { serverUrl: "https://example.com/", username: "u", password: "p", lookbackDays: 0 }, "lookbackDays"],
    ["lookbackDays 3651", { serverUrl: "https://example.com/", username: "u", password: "p", lookbackDays: 3651 }, "lookbackDays"],
    ["lookaheadDays 366", { serverUrl: "https://example.com/", username: "u", password: "p", lookaheadDays: 366 }, "lookaheadDays"],
    ["an auto-sync interval under 5 minutes", { serverUrl: "https://example.com/", username: "u", password: "p", autoSyncIntervalMinutes: 4 }, "autoSyncIntervalMinutes"],
    ["an unknown time zone", { serverUrl: "https://example.com/", username: "u", password: "p", timezone: "Europe/Atlantis" }, "timezone"],
    ["an unknown project", { serverUrl: "https://example.com/", username: "u", password: "p", defaultProjectId: "00000000-0000-4000-8000-000000000000" }, "defaultProjectId"],
    [
      "a calendar with an unknown project",
      { serverUrl: "https://example.com/", username: "u", password: "p", calendars: [{ url: "https://example.com/c/", selected: true, defaultProjectId: "00000000-0000-4000-8000-000000000000" }] },
      "calendars[0].defaultProjectId",
    ],
  ])("refuses %s with BAD_USER_INPUT and writes nothing", async (_label, input, field) => {
    const count = async () => (await api.graphql(user.token, "{ integrations { id } }")).data?.integrations.length;
    const before = await count();
    const res = await api.graphql(user.token, CONFIGURE, { input });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
    expect(await count()).toBe(before);
  });

  it("deletes an integration with its calendars", async () => {
    const id = (await api.graphql(user.token, CONFIGURE, { input: { calendarUrl: "https://dav.example.com/x/", username: "x", password: "p" } })).data
      ?.configureCalDAVIntegration.id;
    expect((await api.graphql(user.token, "mutation($id: UUID!) { deleteIntegration(id: $id) { deleted kept } }", { id })).data?.deleteIntegration).toEqual({ deleted: 0, kept: 0 });
    expect((await api.graphql(user.token, "query($id: UUID!) { integration(id: $id) { id } }", { id })).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const leftover = await api.database.db.execute(sql`select count(*)::int as n from integration_calendars where integration_id = ${id}`);
    expect(JSON.stringify(leftover)).toContain('"n":0');
  });

  it("is invisible to another user", async () => {
    const other = await api.createUser("other@example.com");
    const id = (await api.graphql(user.token, "{ integrations { id } }")).data?.integrations[0].id;
    const before = (await api.graphql(user.token, `query($id: UUID!) { integration(id: $id) { ${FIELDS} } }`, { id })).data;
    for (const [query, variables] of [
      ["query($id: UUID!) { integration(id: $id) { id } }", { id }],
      ["query($id: UUID!) { calendars(integrationId: $id) { id } }", { id }],
      ["query($id: UUID!) { discoverCalendars(input: {integrationId: $id}) { url } }", { id }],
      ["mutation($id: UUID!) { testConnection(integrationId: $id) { success } }", { id }],
      ["mutation($id: UUID!) { deleteIntegration(id: $id) { deleted kept } }", { id }],
      ['mutation($id: UUID!) { configureCalDAVIntegration(input: {id: $id, name: "mine"}) { id } }', { id }],
    ] as const) {
      const res = await api.graphql(other.token, query, variables);
      expect(res.errors?.[0]?.extensions?.code, query).toBe("NOT_FOUND");
    }
    expect((await api.graphql(other.token, "{ integrations { id } }")).data?.integrations).toEqual([]);
    expect((await api.graphql(user.token, `query($id: UUID!) { integration(id: $id) { ${FIELDS} } }`, { id })).data).toEqual(before);
  });
});
