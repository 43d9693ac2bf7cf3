import type { IncomingMessage, ServerResponse } from "node:http";
import { HeaderMap, type ApolloServer, type BaseContext } from "@apollo/server";

export interface GraphQLPostOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  context: (req: IncomingMessage, res: ServerResponse) => Promise<TContext>;
  bodyLimitBytes: number;
  /** Answers a request that fails before GraphQL: 413 too large, 400 malformed, 500 unexpected. */
  fail: (res: ServerResponse, status: number, error?: unknown) => void;
}

const JSON_CONTENT_TYPE = /^application\/json[ \t]*(?:;[ \t]*charset[ \t]*=[ \t]*(?:utf-8|"utf-8")[ \t]*)?$/i;

/**
 * Whether `graphqlPostHandler` takes this request: a POST to exactly /graphql with a plain UTF-8
 * JSON body. Everything else (other paths and methods, compressed bodies, other content types)
 * goes to the express app as before.
 */
export function isPlainGraphQLPost(req: IncomingMessage): boolean {
  if (req.method !== "POST" || !(req.url === "/graphql" || req.url?.startsWith("/graphql?"))) return false;
  const encoding = req.headers["content-encoding"];
  return (encoding === undefined || encoding.toLowerCase() === "identity") && JSON_CONTENT_TYPE.test(req.headers["content-type"] ?? "");
}

/**
 * POST /graphql without express: reads the JSON body as express.json() does (limit, strict
 * objects or arrays, an empty body as {}) and hands it to Apollo like the express integration.
 * Express 5's request and response wrappers, router and body-parser cost a third of the CPU of a
 * 100-entry page (benchmark (f)).
 */
export function graphqlPostHandler<TContext extends BaseContext>(options: GraphQLPostOptions<TContext>): (req: IncomingMessage, res: ServerResponse) => void {
  const { apollo, bodyLimitBytes, fail } = options;
  const answer = (req: IncomingMessage, res: ServerResponse, raw: Buffer): void => {
    let body: unknown;
    try {
      body = parseJsonBody(raw.toString("utf8"));
    } catch {
      fail(res, 400);
      return;
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
    const url = req.url ?? "";
    const query = url.indexOf("?");
    apollo
      .executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: "POST", headers, search: query === -1 ? "" : url.slice(query), body },
        context: () => options.context(req, res),
      })
      .then(async (response) => {
        for (const [name, value] of response.headers) res.setHeader(name, value);
        res.statusCode = response.status ?? 200;
        if (response.body.kind === "complete") {
          res.end(response.body.string);
          return;
        }
        for await (const chunk of response.body.asyncIterator) res.write(chunk);
        res.end();
      })
      .catch((error: unknown) => {
        if (res.headersSent) res.destroy();
        else fail(res, 500, error);
      });
  };
  return (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number(req.headers["content-length"]) > bodyLimitBytes;
    req.on("data", (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > bodyLimitBytes) {
        tooLarge = true;
        chunks.length = 0;
      } else {
        chunks.push(chunk);
      }
    });
    req.on("error", () => res.destroy());
    req.on("end", () => (tooLarge ? fail(res, 413) : answer(req, res, Buffer.concat(chunks, size))));
  };
}

/** As body-parser's strict JSON: only an object or array, an empty body is {}, a BOM is skipped. */
function parseJsonBody(text: string): unknown {
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (json.length === 0) return {};
  const first = /[^ \t\n\r]/.exec(json)?.[0];
  if (first !== "{" && first !== "[") throw new SyntaxError("JSON body must be an object or an array");
  return JSON.parse(json);
}
