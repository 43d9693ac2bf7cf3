import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../helpers/api.js";

/** How the server hands out the built web app: a stand-in build, so no bundler runs here. */
describe("web app serving", () => {
  let api: TestApi;
  let dir: string;
  const INDEX = "<!doctype html><title>app</title><div id=app></div>";
  const SCRIPT = "console.log('app');";
  const html = { accept: "text/html,application/xhtml+xml" };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "web-app-serving-"));
    mkdirSync(path.join(dir, "assets"));
    writeFileSync(path.join(dir, "index.html"), INDEX);
    writeFileSync(path.join(dir, "assets", "index-abc123.js"), SCRIPT);
    api = await startTestApi({ webAppDir: dir });
  });
  afterAll(async () => {
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers the app's page at / and at its client routes, uncached", async () => {
    for (const route of ["/", "/timesheet?week=2026-03-02", "/calendars/3f1c1a8e-8b5e-4c2e-9a51-0c1f2b3d4e5f"]) {
      const res = await fetch(`${api.url}${route}`, { headers: html });
      expect(res.status, route).toBe(200);
      expect(await res.text()).toBe(INDEX);
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    }
  });

  it("serves hashed assets for a year and a missing one as 404, not as the page", async () => {
    const asset = await fetch(`${api.url}/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(await asset.text()).toBe(SCRIPT);
    expect(asset.headers.get("cache-control")).toContain("immutable");
    const missing = await fetch(`${api.url}/assets/index-gone.js`, { headers: html });
    expect(missing.status).toBe(404);
  });

  it("leaves the server's own paths to the server", async () => {
    const health = await fetch(`${api.url}/healthz`, { headers: html });
    expect(await health.json()).toEqual({ status: "ok" });
    const playground = await fetch(`${api.url}/playground`, { headers: html, redirect: "manual" });
    expect(playground.status).toBe(302);
    const graphql = await fetch(`${api.url}/graphql`, { headers: html });
    expect(await graphql.text()).not.toBe(INDEX);
    const json = await fetch(`${api.url}/timesheet`, { headers: { accept: "application/json" } });
    expect(json.status).toBe(404);
  });
});
