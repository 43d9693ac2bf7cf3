import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../helpers/api.js";

const CREATE = "mutation($name: String!) { createProject(input: {name: $name}) { id name archived } }";
const UPDATE = "mutation($input: UpdateProjectInput!) { updateProject(input: $input) { id name archived } }";
const LIST = "query($all: Boolean!) { projects(includeArchived: $all) { name archived } }";

describe("projects", () => {
  let api: TestApi;
  let token: string;

  beforeAll(async () => {
    api = await startTestApi();
    ({ token } = await api.createUser("pm@example.com"));
  });
  afterAll(() => api.close());

  it("creates, renames, archives and lists projects by name", async () => {
    const beta = (await api.graphql(token, CREATE, { name: "  Beta  " })).data?.createProject;
    expect(beta).toMatchObject({ name: "Beta", archived: false });
    const alpha = (await api.graphql(token, CREATE, { name: "Alpha" })).data?.createProject;
    const renamed = await api.graphql(token, UPDATE, { input: { id: alpha.id, name: "Alpha Centauri" } });
    expect(renamed.data?.updateProject.name).toBe("Alpha Centauri");
    await api.graphql(token, UPDATE, { input: { id: beta.id, archived: true } });

    expect((await api.graphql(token, LIST, { all: false })).data?.projects).toEqual([{ name: "Alpha Centauri", archived: false }]);
    expect((await api.graphql(token, LIST, { all: true })).data?.projects).toEqual([
      { name: "Alpha Centauri", archived: false },
      { name: "Beta", archived: true },
    ]);
  });

  it("refuses a second project whose name differs only in case (CONFLICT)", async () => {
    await api.graphql(token, CREATE, { name: "Gamma" });
    const res = await api.graphql(token, CREATE, { name: "GAMMA" });
    expect(res.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    // The message names the project that exists, as it is spelled, not the name just typed.
    expect(res.errors?.[0]?.message).toContain('"Gamma"');
    const names = (await api.graphql(token, LIST, { all: true })).data?.projects.map((p: { name: string }) => p.name);
    expect(names.filter((n: string) => n.toLowerCase() === "gamma")).toHaveLength(1);
  });

  it("refuses a rename onto an existing name (CONFLICT)", async () => {
    const delta = (await api.graphql(token, CREATE, { name: "Delta" })).data?.createProject;
    const res = await api.graphql(token, UPDATE, { input: { id: delta.id, name: "gamma" } });
    expect(res.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    expect(res.errors?.[0]?.message).toContain('"Gamma"');
  });

  it.each([
    ["an empty name", ""],
    ["a blank name", "   "],
    ["an over-long name", "x".repeat(201)],
  ])("refuses %s with BAD_USER_INPUT naming the field", async (_label, name) => {
    const before = (await api.graphql(token, LIST, { all: true })).data?.projects.length;
    const res = await api.graphql(token, CREATE, { name });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "name" });
    expect((await api.graphql(token, LIST, { all: true })).data?.projects.length).toBe(before);
  });

  it("answers NOT_FOUND for an unknown id", async () => {
    const res = await api.graphql(token, UPDATE, { input: { id: "00000000-0000-4000-8000-000000000000", name: "X" } });
    expect(res.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });
});
