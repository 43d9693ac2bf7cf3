import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../helpers/api.js";

describe("request limits", () => {
  let api: TestApi;
  let token: string;

  beforeAll(async () => {
    api = await startTestApi();
    ({ token } = await api.createUser("limits@example.com"));
  });
  afterAll(() => api.close());

  it("refuses an operation nested deeper than the limit", async () => {
    const shallow = await startTestApi({ config: { graphqlMaxDepth: 2 } });
    try {
      const { token: t } = await shallow.createUser("depth@example.com");
      expect((await shallow.graphql(t, "{ me { id } }")).errors).toBeUndefined();
      const deep = await shallow.graphql(t, "{ timeEntries { edges { node { id } } } }");
      expect(deep.errors?.[0]?.message).toMatch(/exceeds maximum operation depth of 2/);
      expect(deep.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
      const viaFragment = await shallow.graphql(t, "{ ...Q } fragment Q on Query { timeEntries { edges { node { id } } } }");
      expect(viaFragment.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    } finally {
      await shallow.close();
    }
  });

  it("refuses an operation whose aliases make it too complex", async () => {
    const aliases = Array.from({ length: 120 }, (_, i) => `a${i}: timeEntries(first: 100) { edges { node { id notes } } }`).join("\n");
    const res = await api.graphql(token, `{ ${aliases} }`);
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions?.code).toBe("QUERY_TOO_COMPLEX");
  });

  it("weighs the same query again for new variables (its cost is remembered per variables)", async () => {
    const query = "query($n: Int!) { timeEntries(first: $n) { edges { node { id notes } } } }";
    const code = async (n: number) => (await api.graphql(token, query, { n })).errors?.[0]?.extensions?.code;
    expect(await code(10)).toBeUndefined();
    expect(await code(5_000)).toBe("QUERY_TOO_COMPLEX");
    expect(await code(10)).toBeUndefined();
    expect(await code(5_000)).toBe("QUERY_TOO_COMPLEX");
  });

  it("refuses a body over the size limit with 413", async () => {
    const res = await fetch(`${api.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: "{ me { id } }", variables: { pad: "x".repeat(1_100_000) } }),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe("BAD_REQUEST");
  });

  it("answers malformed JSON with 400, not an internal error", async () => {
    const res = await fetch(`${api.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: "{ not json",
    });
    expect(res.status).toBe(400);
  });

  it("serves health and readiness", async () => {
    expect(await (await fetch(`${api.url}/healthz`)).json()).toEqual({ status: "ok" });
    const ready = await fetch(`${api.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready" });
  });
});
