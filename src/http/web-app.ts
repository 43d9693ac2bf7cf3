import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import express, { type NextFunction, type Request, type Response } from "express";

/** Paths the server answers itself: never the web app's page, even for a browser. */
const SERVER_PATHS = /^\/(graphql|playground|healthz|readyz|metrics)(\/|$)/;

/** dist/web of this checkout, from src/http (tests) or dist/src/http (npm start). */
export function defaultWebAppDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return path.join(dir, "dist", "web");
}

const NOT_BUILT_PAGE = `<!doctype html><html lang="en"><meta charset="utf-8"><title>CalDAV Timesheet</title>
<p>The web app has not been built. Run <code>npm start</code> (or <code>npm run build</code>) and reload this page.
The GraphQL API is at <a href="/graphql">/graphql</a>.</p></html>`;

/**
 * Serves the single-page app built by web/build.ts: its hashed assets for a year, and its
 * index.html, never cached, for every other GET a browser makes (client-side routes such as
 * /timesheet), so a reload or a shared link opens the right page.
 */
export function webAppRouter(dir: string): express.Router {
  const router = express.Router();
  const index = path.join(dir, "index.html");
  router.use("/assets", express.static(path.join(dir, "assets"), { immutable: true, maxAge: "1y", index: false, fallthrough: false }));
  router.get(/.*/, (req: Request, res: Response, next: NextFunction) => {
    if (SERVER_PATHS.test(req.path) || !req.accepts("html")) return next();
    res.setHeader("Cache-Control", "no-cache");
    res.setHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    res.setHeader("X-Content-Type-Options", "nosniff");
    if (!existsSync(index)) {
      res.status(503).type("html").send(NOT_BUILT_PAGE);
      return;
    }
    res.sendFile(index);
  });
  return router;
}
