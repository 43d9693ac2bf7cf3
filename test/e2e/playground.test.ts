import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { startTestApi, type TestApi } from "../helpers/api.js";

const PASSWORD = "correct horse battery staple";
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
    api = await startTestApi({ passwordHashing: { ln: 14, r: 8, p: 1 } });
    let id: string;
    ({ id, token } = await api.createUser("browser@example.com"));
    await api.services.users.setPassword(id, PASSWORD);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  /**
   * The operation editor's lines, without line numbers or pop-ups (Monaco draws its suggestions
   * inside the editor); Monaco renders spaces as no-break spaces.
   */
  const editorText = async (page: Page) => (await page.locator(".graphiql-query-editor .view-lines").innerText()).replaceAll("\u00a0", " ");

  /**
   * Replaces the operation editor's text as a person would: select all, type. Once the editor has
   * loaded, and again until the editor shows exactly the text: a busy machine may still be setting it up.
   */
  async function typeOperation(page: Page, text: string): Promise<void> {
    await expect.poll(() => editorText(page), { timeout: 60_000 }).toMatch(/[a-z]/);
    await expect
      .poll(
        async () => {
          await page.locator(".graphiql-query-editor .monaco-editor").click();
          await page.keyboard.press("Control+A");
          await page.keyboard.press("Delete");
          await page.keyboard.insertText(text);
          await page.keyboard.press("Escape");
          // The whole text: keys typed before the editor had the focus would leave the old
          // operations beside the new one, and Execute would then ask which to run.
          return (await editorText(page)).trim();
        },
        { timeout: 60_000, interval: 1_000 },
      )
      .toBe(text);
  }

  /**
   * Presses Execute until the response shows `expected`. GraphiQL takes the editor's text over a
   * moment after typing: pressed sooner, it still sees the example operations and asks which one
   * to run, so the menu is closed and Execute pressed again.
   */
  async function runOperation(page: Page, expected: string): Promise<void> {
    await expect
      .poll(
        async () => {
          await page.keyboard.press("Escape");
          await page.getByRole("button", { name: /^Execute query/ }).click({ timeout: 5_000 }).catch(() => undefined);
          await page.locator(".graphiql-response").getByText(expected).first().waitFor({ timeout: 5_000 }).catch(() => undefined);
          return page.locator(".graphiql-response").innerText();
        },
        { timeout: 90_000, interval: 1_000 },
      )
      .toContain(expected);
  }

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
    await typeOperation(page, "query Me { me { email } }");
    await runOperation(page, "browser@example.com");

    expect(blocked).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it("tells a signed-out visitor how to sign in, shows the schema, and works after signIn", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${api.url}/graphql`, { waitUntil: "load" });
    await expect.poll(() => editorText(page), { timeout: 60_000 }).toContain("You are not signed in");
    expect(await editorText(page)).toContain("mutation SignIn");
    expect(await editorText(page)).toContain("query DiscoverCalendars");
    // The Docs panel reads the schema by introspection, which needs no sign-in.
    await page.getByRole("button", { name: /documentation explorer/i }).click();
    await expect.poll(() => page.locator(".graphiql-doc-explorer").innerText(), { timeout: 60_000 }).toContain("Query");
    expect(await page.locator("body").innerText()).not.toMatch(/Error fetching schema|UNAUTHENTICATED/);

    await typeOperation(page, `mutation { signIn(email: "browser@example.com", password: "${PASSWORD}") { email } }`);
    await runOperation(page, "browser@example.com");
    await typeOperation(page, "query { me { timezone email } }");
    await runOperation(page, '"timezone"');
    expect(await page.locator(".graphiql-response").innerText()).toContain("browser@example.com");

    // Opened in a fresh profile that carries the session, it says so and needs no header.
    const signedIn = await browser.newContext();
    await signedIn.addCookies(await context.cookies());
    await context.close();
    const again = await signedIn.newPage();
    await again.goto(`${api.url}/graphql`, { waitUntil: "load" });
    await expect.poll(() => editorText(again), { timeout: 60_000 }).toContain("You are signed in");
    expect(await editorText(again)).not.toContain("mutation SignIn");
    await signedIn.close();
  }, 180_000);

  it("is served to browsers at /playground too", async () => {
    const res = await fetch(`${api.url}/playground`, { redirect: "manual", headers: { accept: "text/html" } });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/graphql");
  });
});
