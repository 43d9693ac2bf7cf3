import { gzipSync } from "node:zlib";
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import type { Request, Response } from "express";

/**
 * The operations a person needs to connect a calendar, in the order they need them. GraphiQL runs
 * the one under the cursor, or asks which.
 */
const SETUP_EXAMPLES = `# 1. Which calendars does the account hold? (nothing is stored yet)
query DiscoverCalendars {
  discoverCalendars(input: {
    serverUrl: "https://cloud.example.com/remote.php/dav"
    username: "anna"
    password: "app-password"
  }) { url displayName color supportsEvents }
}

# 2. Save the integration with the calendars to import.
mutation ConfigureIntegration {
  configureCalDAVIntegration(input: {
    name: "Work calendar"
    serverUrl: "https://cloud.example.com/remote.php/dav"
    username: "anna"
    password: "app-password"
    calendars: [{ url: "https://cloud.example.com/remote.php/dav/calendars/anna/work/", selected: true }]
    autoSyncIntervalMinutes: 30
  }) { id name status }
}

# 3. Test it: paste the id that step 2 answered.
mutation TestConnection {
  testConnection(integrationId: "00000000-0000-0000-0000-000000000000") { success message errorCode }
}

# 4. Sync now (answers when done, or RUNNING after 25 s: then poll syncRun(id)).
mutation SyncNow {
  syncNow(integrationId: "00000000-0000-0000-0000-000000000000") {
    id status message entriesCreated entriesUpdated entriesDeleted
  }
}

# 5. The sync history, newest first.
query SyncHistory {
  syncRuns(integrationId: "00000000-0000-0000-0000-000000000000", first: 10) {
    edges { node { startedAt status trigger durationMs message skipped { reason count } } }
  }
}

# 6. The timesheet.
query TimeEntries {
  timeEntries(first: 10) {
    totalCount
    edges { node { startTime endTime notes project { name } } }
  }
}
`;

/** Signed in through the web app: the session cookie goes with every query from this page. */
const SIGNED_IN_INTRO = `# You are signed in: every operation below runs as you, with your session.
# Put the cursor in an operation and press ▶ (or Ctrl+Enter).

`;

/** Signed out: say how to become somebody, instead of greeting the visitor with an error. */
const SIGNED_OUT_INTRO = `# You are not signed in, so only SignIn below works yet. Either:
#  - run SignIn with your e-mail and password: the session then goes with every operation here;
#  - or put an API token (Settings in the web app, or the token printed at first start) into the
#    Headers tab below as {"Authorization": "Bearer <token>"}.
mutation SignIn {
  signIn(email: "you@example.com", password: "your password") { email name }
}

`;

/**
 * GraphiQL rendered from an npm package into one self-contained page: it works offline and
 * behind firewalls, unlike Apollo's default landing page, which loads from a CDN.
 * Rendered and compressed once per variant, lazily: the page is ~9 MB (~2.4 MB gzipped).
 */
interface RenderedPage {
  html: Buffer;
  gzip: Buffer;
}
const pages = new Map<boolean, RenderedPage>();

function renderPage(signedIn: boolean): RenderedPage {
  let page = pages.get(signedIn);
  if (!page) {
    const html = Buffer.from(
      renderGraphiQL({
        title: "CalDAV Timesheet — GraphQL",
        endpoint: "/graphql",
        defaultQuery: (signedIn ? SIGNED_IN_INTRO : SIGNED_OUT_INTRO) + SETUP_EXAMPLES,
        // No placeholder header: an invalid token would override the session and fail every query.
        headers: "{}",
        shouldPersistHeaders: true,
        defaultEditorToolsVisibility: signedIn ? false : "headers",
      }),
    );
    page = { html, gzip: gzipSync(html) };
    pages.set(signedIn, page);
  }
  return page;
}

/** Browsers asking for HTML get the IDE; API clients fall through to the GraphQL handler. */
export function wantsPlayground(req: Request): boolean {
  return req.method === "GET" && (req.accepts(["application/json", "text/html"]) === "text/html");
}

/** Serves the page; `signedIn` says whether the request carries a live session (only the greeting differs). */
export function servePlayground(req: Request, res: Response, signedIn: boolean): void {
  const { html, gzip } = renderPage(signedIn);
  res.setHeader("Content-Type", "text/html; charset=utf-8");
  res.setHeader("Cache-Control", "no-cache");
  res.setHeader("Vary", "Accept-Encoding, Accept, Cookie");
  if (req.acceptsEncodings("gzip") === "gzip") {
    res.setHeader("Content-Encoding", "gzip");
    res.end(gzip);
  } else {
    res.end(html);
  }
}
