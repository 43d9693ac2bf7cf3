import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../helpers/api.js";

const MISSING = "00000000-0000-4000-8000-000000000000";
const SYNC = "mutation($id: UUID!) { syncNow(integrationId: $id) { id } }";
const TEST = "mutation($id: UUID!) { testConnection(integrationId: $id) { success } }";
const DISCOVER = "query($id: UUID!) { discoverCalendars(input: {integrationId: $id}) { url } }";

/**
 * Per-user rate limits on the operations that make the server contact a CalDAV server. Ids that do
 * not exist are enough: the limit applies before anything else, so no packet is sent.
 */
describe("rate limits on syncNow, testConnection and discoverCalendars", () => {
  let api: TestApi;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };

  beforeAll(async () => {
    api = await startTestApi({ rateLimit: { perMinute: 1, burst: 2 } });
    alice = await api.createUser("rl-alice@example.com");
    bob = await api.createUser("rl-bob@example.com");
  });
  afterAll(() => api?.close());

  it.each([
    ["syncNow", SYNC],
    ["testConnection", TEST],
    ["discoverCalendars", DISCOVER],
  ])("%s: the burst passes, then RATE_LIMITED with retryAfterSeconds; other users and operations are unaffected", async (operation, query) => {
    const user = await api.createUser(`rl-${operation}@example.com`);
    for (let i = 0; i < 2; i++) expect((await api.graphql(user.token, query, { id: MISSING })).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const limited = await api.graphql(user.token, query, { id: MISSING });
    expect(limited.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
    const retry = limited.errors?.[0]?.extensions?.retryAfterSeconds;
    expect(typeof retry).toBe("number");
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(60);
    expect(limited.errors?.[0]?.message).toMatch(new RegExp(`${operation}.*${retry} s`));
    // the same operation for someone else, and another operation for this user, still go through
    expect((await api.graphql(bob.token, query, { id: MISSING })).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const other = query === SYNC ? TEST : SYNC;
    expect((await api.graphql(user.token, other, { id: MISSING })).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });

  it("limits only the three CalDAV operations", async () => {
    for (let i = 0; i < 20; i++) {
      expect((await api.graphql(alice.token, "{ me { id } integrations { id } }")).errors).toBeUndefined();
    }
  });

  it("is off with perMinute 0", async () => {
    const open = await startTestApi({ rateLimit: { perMinute: 0, burst: 1 } });
    try {
      const { token } = await open.createUser("rl-off@example.com");
      for (let i = 0; i < 15; i++) expect((await open.graphql(token, SYNC, { id: MISSING })).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    } finally {
      await open.close();
    }
  });

  it("has a bucket per instance (documented: limits are per instance)", async () => {
    const second = await startTestApi({ rateLimit: { perMinute: 1, burst: 1 } });
    try {
      const { token } = await second.createUser("rl-instance@example.com");
      expect((await second.graphql(token, SYNC, { id: MISSING })).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
      expect((await second.graphql(token, SYNC, { id: MISSING })).errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
    } finally {
      await second.close();
    }
  });
});

/** Queries built to exhaust the server: refused early with a client error, never a 500. */
describe("hostile queries", () => {
  let api: TestApi;
  let token: string;
  const CLIENT_ERRORS = ["GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED", "QUERY_TOO_COMPLEX", "BAD_REQUEST", "BAD_USER_INPUT", "OPERATION_RESOLUTION_FAILURE"];

  beforeAll(async () => {
    api = await startTestApi();
    ({ token } = await api.createUser("hostile@example.com"));
  });
  afterAll(() => api?.close());

  const refused = (res: { status: number; errors?: { extensions?: { code?: string } }[] }) => {
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(CLIENT_ERRORS).toContain(res.errors?.[0]?.extensions?.code);
  };

  it("refuses thousands of aliases of a cheap field", async () => {
    const aliases = Array.from({ length: 20_000 }, (_, i) => `a${i}: me { id }`).join(" ");
    refused(await api.graphql(token, `{ ${aliases} }`));
  });

  it("refuses aliases multiplying a page (first × node cost)", async () => {
    const aliases = Array.from({ length: 30 }, (_, i) => `p${i}: timeEntries(first: 100) { edges { node { id notes externalEvent { uid } } } }`).join(" ");
    const res = await api.graphql(token, `{ ${aliases} }`);
    refused(res);
    expect(res.errors?.[0]?.extensions?.code).toBe("QUERY_TOO_COMPLEX");
  });

  it("refuses a huge page size through a variable", async () => {
    refused(await api.graphql(token, "query($n: Int!) { timeEntries(first: $n) { edges { node { id } } } }", { n: 1_000_000_000 }));
  });

  // The shape rule (src/graphql/limits.ts) skips cycles; GraphQL's NoFragmentCyclesRule reports them.
  it("refuses fragment cycles (GraphQL validation)", async () => {
    const res = await api.graphql(token, "{ ...A } fragment A on Query { me { id } ...B } fragment B on Query { ...A }");
    refused(res);
    expect(res.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });

  // Each level doubles the expanded size; the shape rule measures each fragment once, so even
  // 60 levels (2^60 fields expanded) are refused at once.
  it("refuses a fragment spread fan-out (each level doubles the field count)", async () => {
    const levels = 60;
    const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ${i + 1 < levels ? `...F${i + 1} x${i}: me { id } ...F${i + 1}` : "me { id }"} }`).join("\n");
    refused(await api.graphql(token, `{ ...F0 }\n${fragments}`));
  });

  it("refuses selections nested far deeper than the schema allows", async () => {
    const depth = 2_000;
    const query = `{ ${"me { ".repeat(depth)}id${" }".repeat(depth)} }`;
    refused(await api.graphql(token, query));
  });

  it("refuses deeply nested list values in arguments", async () => {
    const depth = 5_000;
    refused(await api.graphql(token, `{ timeEntry(id: ${"[".repeat(depth)}"x"${"]".repeat(depth)}) { id } }`));
  });

  it("refuses a deeply nested variables object", async () => {
    let value: unknown = "x";
    for (let i = 0; i < 3_000; i++) value = { a: value };
    const res = await api.graphql(token, "mutation($input: CreateProjectInput!) { createProject(input: $input) { id } }", { input: value });
    refused(res);
  });

  it("refuses thousands of repeated directives", async () => {
    refused(await api.graphql(token, `{ me ${"@include(if: true) ".repeat(5_000)} { id } }`));
  });

  it("refuses many operations in one document without a name to pick", async () => {
    const ops = Array.from({ length: 1_000 }, (_, i) => `query Q${i} { me { id } }`).join("\n");
    refused(await api.graphql(token, ops));
  });

  it("refuses a batch (an array body)", async () => {
    const res = await fetch(`${api.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(Array.from({ length: 100 }, () => ({ query: "{ me { id } }" }))),
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it("still answers normally afterwards", async () => {
    expect((await api.graphql(token, "{ me { id } }")).errors).toBeUndefined();
  });
});
