import http from "node:http";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../helpers/api.js";

interface Answer {
  status: number;
  requestId: string | undefined;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

/**
 * POST /graphql with a plain JSON body skips express (src/http/graphql-post.ts); everything else
 * still goes through express.json() and the express integration. Both must answer alike.
 */
describe("GraphQL over HTTP", () => {
  let api: TestApi;
  let token: string;

  beforeAll(async () => {
    api = await startTestApi({ config: { requestBodyLimitBytes: 10_000 } });
    ({ token } = await api.createUser("http@example.com"));
    await api.graphql(token, 'mutation { createProject(input: { name: "Alpha" }) { id } }');
  });
  afterAll(() => api.close());

  /** Sends raw bytes, optionally without a Content-Length (chunked). */
  const send = (body: Buffer | string, headers: Record<string, string>, options: { path?: string; chunked?: boolean } = {}) =>
    new Promise<Answer>((resolve, reject) => {
      const bytes = typeof body === "string" ? Buffer.from(body) : body;
      const request = http.request(
        `${api.url}${options.path ?? "/graphql"}`,
        {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, ...(options.chunked ? {} : { "content-length": String(bytes.length) }), ...headers },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (text += chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, requestId: res.headers["x-request-id"] as string | undefined, body: JSON.parse(text) }));
        },
      );
      request.on("error", reject);
      if (options.chunked) for (let i = 0; i < bytes.length; i += 1_000) request.write(bytes.subarray(i, i + 1_000));
      request.end(options.chunked ? undefined : bytes);
    });
  const json = { "content-type": "application/json" };
  /** The same body through express: body-parser inflates it. */
  const viaExpress = (body: string, headers: Record<string, string> = json) => send(gzipSync(body), { ...headers, "content-encoding": "gzip" });
  const withoutRequestId = ({ status, body }: Answer) => ({
    status,
    body: { ...body, errors: body.errors?.map(({ extensions, ...error }) => ({ ...error, extensions: { ...extensions, requestId: undefined } })) },
  });

  it.each([
    ["a query", JSON.stringify({ query: "{ me { email } projects { name } }" })],
    ["a query with variables", JSON.stringify({ query: "query($n: Int!) { timeEntries(first: $n) { totalCount } }", variables: { n: 5 } })],
    ["a syntax error", JSON.stringify({ query: "{ me { " })],
    ["malformed JSON", "{ not json"],
    ["JSON that is not an object", "123"],
    ["only white space", "  \n "],
    ["an empty body", ""],
    ["a batch", JSON.stringify([{ query: "{ me { id } }" }])],
  ])("answers %s as the express path does", async (_label, body) => {
    const direct = await send(body, json);
    expect(withoutRequestId(direct)).toEqual(withoutRequestId(await viaExpress(body)));
  });

  it("reads the JSON media type with a UTF-8 charset, and the query string", async () => {
    const body = JSON.stringify({ query: "{ me { email } }" });
    for (const type of ["application/json; charset=utf-8", 'Application/JSON;charset="UTF-8"']) {
      expect((await send(body, { "content-type": type })).body.data).toEqual({ me: { email: "http@example.com" } });
    }
    expect((await send(body, json, { path: "/graphql?x=1" })).body.data).toEqual({ me: { email: "http@example.com" } });
  });

  it("refuses a body over the limit with 413, whether or not its length is announced", async () => {
    const body = JSON.stringify({ query: "{ me { id } }", variables: { pad: "x".repeat(20_000) } });
    for (const chunked of [false, true]) {
      const answer = await send(body, json, { chunked });
      expect(answer.status).toBe(413);
      expect(answer.body.errors?.[0]?.extensions?.code).toBe("BAD_REQUEST");
    }
    expect((await api.graphql(token, "{ me { id } }")).errors).toBeUndefined();
  });

  it("echoes the request id and names it in an internal error, on both paths", async () => {
    const projects = api.services.projects;
    const list = projects.list;
    projects.list = () => Promise.reject(new Error("database on fire"));
    try {
      const body = JSON.stringify({ query: "{ projects { id } }" });
      for (const answer of [await send(body, { ...json, "x-request-id": "req-42" }), await viaExpress(body, { ...json, "x-request-id": "req-42" })]) {
        expect(answer.requestId).toBe("req-42");
        expect(answer.body.errors?.[0]).toMatchObject({ message: "Internal server error (request id req-42)", extensions: { code: "INTERNAL_SERVER_ERROR", requestId: "req-42" } });
        expect(JSON.stringify(answer.body)).not.toContain("fire");
      }
    } finally {
      projects.list = list;
    }
  });

  it("names the request id when checking the token fails unexpectedly", async () => {
    const users = api.services.users;
    const authenticate = users.authenticate;
    users.authenticate = () => Promise.reject(new Error("database on fire"));
    try {
      const answer = await send(JSON.stringify({ query: "{ me { id } }" }), { ...json, "x-request-id": "req-43" });
      expect(answer.status).toBe(500);
      expect(answer.body.errors?.[0]).toMatchObject({ message: "Internal server error (request id req-43)", extensions: { requestId: "req-43" } });
    } finally {
      users.authenticate = authenticate;
    }
  });

  it("makes a request id when none (or a strange one) comes in", async () => {
    const body = JSON.stringify({ query: "{ me { id } }" });
    for (const headers of [json, { ...json, "x-request-id": "not a sane id!" }]) expect((await send(body, headers)).requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("leaves other content types to express", async () => {
    const answer = await send(JSON.stringify({ query: "{ me { id } }" }), { "content-type": "application/json; charset=latin1" });
    expect(answer.status).toBe(415);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe("BAD_REQUEST");
  });
});
