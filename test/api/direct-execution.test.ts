import { randomBytes } from "node:crypto";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled } from "@apollo/server/plugin/disabled";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, type TestDatabase } from "../helpers/database.js";
import { createCalDAVAccess } from "../../src/integrations/caldav-access.js";
import { CredentialCipher } from "../../src/integrations/credentials.js";
import { createLogger } from "../../src/logger.js";
import { createServices, type Services } from "../../src/services.js";
import type { User } from "../../src/users/service.js";
import type { GraphQLContext } from "../../src/graphql/context.js";
import { directExecutionPlugin } from "../../src/graphql/direct-execution.js";
import { createLoaders } from "../../src/graphql/loaders.js";
import { NO_RATE_LIMIT, TokenBucketLimiter } from "../../src/graphql/rate-limit.js";
import { buildAppSchema } from "../../src/graphql/schema.js";

const PAGE = "{ timeEntries(first: 100) { edges { cursor node { id startTime endTime durationSeconds notes projectId source } } pageInfo { hasNextPage endCursor } } }";

/** Every answer of the direct path must be the one graphql-js gives, byte for byte. */
describe("direct execution", () => {
  let database: TestDatabase;
  let services: Services;
  let user: User;
  let entryId: string;
  let direct: ApolloServer<GraphQLContext>;
  let plain: ApolloServer<GraphQLContext>;
  const executions = { direct: 0, plain: 0 };

  const counting = (server: keyof typeof executions): ApolloServerPlugin<GraphQLContext> => ({
    async requestDidStart() {
      return {
        async executionDidStart() {
          executions[server]++;
        },
      };
    },
  });

  const context = (): GraphQLContext => ({
    user,
    auth: { via: "token", sessionId: null },
    exchange: { clientAddress: "127.0.0.1", userAgent: null, site: "unknown", setSessionCookie: () => {} },
    signInLimiter: new TokenBucketLimiter(NO_RATE_LIMIT),
    services,
    requestId: "test",
    log: createLogger("silent"),
    loaders: createLoaders(services, user.id),
    rateLimiter: new TokenBucketLimiter(NO_RATE_LIMIT),
  });

  /** Both answers, and whether the direct server left the operation to graphql-js. */
  const run = async (query: string, variables?: Record<string, unknown>, operationName?: string) => {
    const before = executions.direct;
    const [a, b] = await Promise.all(
      [direct, plain].map(async (server) =>
        JSON.stringify((await server.executeOperation({ query, variables, operationName }, { contextValue: context() })).body),
      ),
    );
    return { direct: a!, plain: b!, fellBack: executions.direct > before };
  };

  beforeAll(async () => {
    database = await openTestDatabase();
    const log = createLogger("silent");
    services = createServices(database.db, {
      cipher: new CredentialCipher(randomBytes(32)),
      caldav: createCalDAVAccess({ caldavAllowPrivateNetworks: false, caldavTimeoutMs: 1_000 }),
      log,
    });
    user = await services.users.create({ email: "direct@example.com", name: 'Ann "Quote" Ünïcødé', timezone: "Europe/Berlin" });
    const project = await services.projects.create(user.id, "Alpha");
    await services.projects.create(user.id, "Old");
    for (let i = 0; i < 7; i++) {
      const start = new Date(Date.UTC(2026, 2, 2 + i, 9, 0, 0, i * 111));
      const entry = await services.timeEntries.create(user.id, {
        startTime: start,
        endTime: new Date(start.getTime() + 5_400_000),
        projectId: i % 2 === 0 ? project.id : null,
        notes: i === 3 ? 'Line\nbreak, "quotes", \\ and ✓' : `Entry ${i}`,
      });
      entryId = entry.id;
    }
    await database.db.execute(sql`update time_entries set source = 'auto', matched_by = 'TITLE' where id = ${entryId}`);
    const other = await services.users.create({ email: "other@example.com" });
    await services.timeEntries.create(other.id, { startTime: new Date("2026-03-01T09:00:00Z"), endTime: new Date("2026-03-01T10:00:00Z") });

    const server = async (name: keyof typeof executions, plugins: ApolloServerPlugin<GraphQLContext>[]) => {
      const schema = await buildAppSchema();
      const apollo = new ApolloServer<GraphQLContext>({
        schema,
        plugins: [ApolloServerPluginCacheControlDisabled(), counting(name), ...(name === "direct" ? [directExecutionPlugin(schema)] : []), ...plugins],
      });
      await apollo.start();
      return apollo;
    };
    [direct, plain] = await Promise.all([server("direct", []), server("plain", [])]);
  });
  afterAll(async () => {
    await Promise.all([direct?.stop(), plain?.stop()]);
    await database?.close();
  });

  it.each([
    ["the benchmark's page", PAGE, undefined],
    ["aliases and __typename at every level", "{ page: timeEntries(first: 3) { __typename e: edges { c: cursor n: node { __typename i: id s: startTime } } pageInfo { __typename more: hasNextPage } } }", undefined],
    ["totalCount and pageInfo only", "{ timeEntries(first: 2) { totalCount pageInfo { hasNextPage endCursor } } }", undefined],
    ["variables, a filter and the details of each entry", "query($n: Int!, $p: UUID) { timeEntries(first: $n, filter: { projectId: $p }) { edges { node { id matchedBy editedAfterImport createdAt updatedAt source } } } }", { n: 3 }],
    ["a filter by source", '{ timeEntries(filter: { source: AUTO }) { edges { node { id source } } } }', undefined],
    ["the caller", "{ me { __typename id email name timezone createdAt } }", undefined],
    ["projects with a variable", "query($all: Boolean!) { projects(includeArchived: $all) { id name archived } }", { all: true }],
    ["one entry by id", "query($id: UUID!) { timeEntry(id: $id) { id notes source matchedBy } }", "entry"],
  ])("answers %s without graphql-js, as graphql-js would", async (_label, query, variables) => {
    const answer = await run(query, variables === "entry" ? { id: entryId } : (variables as Record<string, unknown> | undefined));
    expect(answer.direct).toBe(answer.plain);
    expect(answer.plain).not.toContain('"errors"');
    expect(answer.fellBack).toBe(false);
  });

  it("answers the named operation of a document holding several", async () => {
    const answer = await run("query A { me { id } } query B { projects { name } }", undefined, "B");
    expect(answer.direct).toBe(answer.plain);
    expect(answer.plain).toContain("Alpha");
    expect(answer.fellBack).toBe(false);
  });

  it("answers the second page from a cursor as graphql-js would", async () => {
    const first = JSON.parse((await run("{ timeEntries(first: 3) { pageInfo { endCursor } } }")).plain);
    const answer = await run("query($after: String) { timeEntries(first: 3, after: $after) { edges { cursor node { id } } } }", {
      after: first.singleResult.data.timeEntries.pageInfo.endCursor,
    });
    expect(answer.direct).toBe(answer.plain);
    expect(answer.fellBack).toBe(false);
  });

  it.each([
    ["a fragment", "{ timeEntries(first: 2) { edges { node { ...F } } } } fragment F on TimeEntry { id notes }"],
    ["a fragment asking for details", "{ timeEntries(first: 7) { edges { node { id ...F } } } } fragment F on TimeEntry { createdAt matchedBy }"],
    ["an inline fragment", "{ timeEntries(first: 2) { edges { node { ... on TimeEntry { id } } } } }"],
    ["a directive", "query($x: Boolean!) { timeEntries(first: 2) { edges { node { id notes @include(if: $x) } } } }"],
    ["a field with its own resolver", "{ timeEntries(first: 7) { edges { node { id externalEvent { uid } } } } }"],
    ["two root fields", "{ me { id } projects { id } }"],
    ["a repeated response name", "{ timeEntries(first: 2) { edges { node { id id notes } } } }"],
    ["introspection", "{ __typename __schema { queryType { name } } }"],
    ["a mutation", 'mutation { createProject(input: { name: "Beta" }) { name } }'],
  ])("leaves %s to graphql-js", async (_label, query) => {
    const answer = await run(query, { x: false });
    // The mutation runs on both servers: the second "Beta" is a conflict.
    if (!query.startsWith("mutation")) {
      expect(answer.direct).toBe(answer.plain);
      expect(answer.direct).not.toContain('"errors"');
    }
    expect(answer.fellBack).toBe(true);
  });

  it.each([
    ["a page size out of range", "{ timeEntries(first: 0) { edges { cursor } } }", undefined],
    ["a cursor it did not make", '{ timeEntries(after: "bm90IGEgY3Vyc29y") { edges { cursor } } }', undefined],
    ["an empty filter interval", '{ timeEntries(filter: { from: "2026-03-02T00:00:00Z", to: "2026-03-01T00:00:00Z" }) { edges { cursor } } }', undefined],
    ["a missing entry", '{ timeEntry(id: "00000000-0000-4000-8000-000000000000") { id } }', undefined],
    ["a variable of the wrong type", "query($n: Int!) { timeEntries(first: $n) { edges { cursor } } }", { n: "many" }],
  ])("reports %s exactly as graphql-js does", async (_label, query, variables) => {
    const answer = await run(query, variables);
    expect(answer.plain).toContain('"errors"');
    expect(answer.direct).toBe(answer.plain);
  });
});
