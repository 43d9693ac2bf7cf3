import { gzipSync } from "node:zlib";
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import type { Request, Response } from "express";

const DEFAULT_QUERY = `# Paste the token the server printed at first start into the Headers tab below,
# then run this query with the ▶ button.
query Me {
  me { email timezone }
  projects { id name }
  timeEntries(first: 10) {
    totalCount
    edges { node { startTime endTime durationSeconds notes source } }
  }
}
`;

/**
 * GraphiQL rendered from an npm package into one self-contained page: it works offline and
 * behind firewalls, unlike Apollo's default landing page, which loads from a CDN.
 * Rendered and compressed once, lazily: the page is ~9 MB (~2.4 MB gzipped).
 */
let page: { html: Buffer; gzip: Buffer } | null = null;

function renderPage(): { html: Buffer; gzip: Buffer } {
  if (!page) {
    const html = Buffer.from(
      renderGraphiQL({
        title: "CalDAV Timesheet — GraphQL",
        endpoint: "/graphql",
        defaultQuery: DEFAULT_QUERY,
        headers: JSON.stringify({ Authorization: "Bearer <paste your token here>" }, null, 2),
        shouldPersistHeaders: true,
        defaultEditorToolsVisibility: "headers",
      }),
    );
    page = { html, gzip: gzipSync(html) };
  }
  return page;
}

/** Browsers asking for HTML get the IDE; API clients fall through to the GraphQL handler. */
export function wantsPlayground(req: Request): boolean {
  return req.method === "GET" && (req.accepts(["application/json", "text/html"]) === "text/html");
}

export function servePlayground(req: Request, res: Response): void {
  const { html, gzip } = renderPage();
  res.setHeader("Content-Type", "text/html; charset=utf-8");
  res.setHeader("Cache-Control", "no-cache");
  res.setHeader("Vary", "Accept-Encoding, Accept");
  if (req.acceptsEncodings("gzip") === "gzip") {
    res.setHeader("Content-Encoding", "gzip");
    res.end(gzip);
  } else {
    res.end(html);
  }
}
