import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser } from "playwright-core";
import { startTestApi, type TestApi } from "../helpers/api.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// Like the CalDAV servers: locally a missing browser is a loud skip (apt-get install chromium), in CI a failure.
const missing = !fs.existsSync(CHROMIUM);
if (missing && !process.env.CI) console.warn(`\n[playground e2e] SKIPPED: no Chromium at ${CHROMIUM} (apt-get install chromium)\n`);

/**
 * The playground must work with no internet: it is served from an npm package, and this test
 * blocks every request that is not to loopback, then runs a query from the page.
 */
describe.skipIf(missing && !process.env.CI)("offline GraphQL playground", () => {
  let api: TestApi;
  let browser: Browser;
  let token: string;

  beforeAll(async () => {
    api = await startTestApi();
    ({ token } = await api.createUser("browser@example.com"));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it("loads without leaving loopback and runs a query with the user's token", async () => {
    const page = await browser.newPage();
    const blocked: string[] = [];
    const pageErrors: string[] = [];
    await page.route("**/*", (route) => {
      const url = new URL(route.request().url());
      const local = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname) || ["blob:", "data:"].includes(url.protocol);
      if (local) return route.continue();
      blocked.push(url.href);
      return route.abort();
    });
    page.on("pageerror", (error) => pageErrors.push(error.message));
    // What a user does once in the Headers tab; GraphiQL keeps it in localStorage.
    await page.addInitScript((headers) => localStorage.setItem("graphiql:headers", headers), JSON.stringify({ Authorization: `Bearer ${token}` }));

    await page.goto(`${api.url}/graphql`, { waitUntil: "load" });
    await page.locator(".graphiql-execute-button").click({ timeout: 30_000 });
    await expect.poll(async () => page.locator(".graphiql-response").innerText(), { timeout: 30_000 }).toContain("browser@example.com");

    expect(blocked).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it("is served to browsers at /playground too", async () => {
    const res = await fetch(`${api.url}/playground`, { redirect: "manual", headers: { accept: "text/html" } });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/graphql");
  });
});
