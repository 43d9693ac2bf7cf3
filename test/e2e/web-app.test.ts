import fs from "node:fs";
import { DateTime } from "luxon";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../helpers/api.js";
import { describeServer } from "../servers/harness.js";
import { deleteEvent, makeCalendar, putEvent, simpleEvent, updateEvent } from "../servers/seed.js";
import { CHROMIUM, buildWebApp, checkPage, guardPage, launchChromium } from "./web-app-harness.js";

// Like the CalDAV servers: locally a missing browser is a loud skip (apt-get install chromium), in CI a failure.
const missing = !fs.existsSync(CHROMIUM);
if (missing && !process.env.CI) console.warn(`\n[web app e2e] SKIPPED: no Chromium at ${CHROMIUM} (apt-get install chromium)\n`);

// Signing in often: a cheaper password hash than the server's default.
const QUICK_HASHING = { ln: 14, r: 8, p: 1 };
const USER_ZONE = "Europe/Berlin";
const PASSWORD = "correct horse battery";
const TIMEOUT = 30_000;

/** expect.poll with the page's timeout: on a loaded machine a page takes longer than poll's 1 s default. */
function eventually<T>(value: () => Promise<T>) {
  return expect.poll(value, { timeout: TIMEOUT });
}

/** An iCalendar UTC time for a wall-clock time of the user's zone. */
function utcStamp(local: DateTime): string {
  return local.toUTC().toFormat("yyyyMMdd'T'HHmmss'Z'");
}

/**
 * The web app as people use it, in Debian's Chromium against a real Radicale: the whole journey
 * from sign-in to a synced, edited week, the failure paths, the admin page, and an axe-core scan
 * of every page. Elements are found by role and accessible name only.
 */
describeServer(
  "radicale",
  ({ server }) => {
    describe.skipIf(missing && !process.env.CI)("journeys", () => {
      let api: TestApi;
      let browser: Browser;
      let removeBuild: () => void = () => {};
      let adminToken: string;
      const violations: string[] = [];
      // Last week's Tuesday in the user's zone: inside the default 90-day lookback, and in the past.
      const tuesday = DateTime.now().setZone(USER_ZONE).startOf("week").minus({ weeks: 1 }).plus({ days: 1 });
      let standupUrl = "";
      let standupEtag = "";
      let callUrl = "";

      beforeAll(async () => {
        const built = await buildWebApp();
        removeBuild = built.remove;
        api = await startTestApi({ passwordHashing: QUICK_HASHING, webAppDir: built.dir });
        const admin = await api.services.users.create({ email: "admin@example.com", name: "Ada Admin", timezone: USER_ZONE, password: PASSWORD, isAdmin: true });
        adminToken = (await api.services.users.createToken(admin.id, "test")).token;
        const alice = await api.services.users.create({ email: "alice@example.com", name: "Alice", timezone: USER_ZONE, password: PASSWORD });
        const aliceToken = (await api.services.users.createToken(alice.id, "test")).token;
        for (const name of ["Acme", "Beta"]) {
          const created = await api.graphql(aliceToken, `mutation ($name: String!) { createProject(input: { name: $name }) { id } }`, { name });
          expect(created.errors).toBeUndefined();
        }
        const srv = server();
        const work = await makeCalendar(srv, "work", "Work");
        await makeCalendar(srv, "private", "Private");
        const standup = simpleEvent("standup-1", "Standup", utcStamp(tuesday.set({ hour: 9 })), utcStamp(tuesday.set({ hour: 10, minute: 30 })));
        ({ url: standupUrl, etag: standupEtag } = (await putEvent(srv, srv.calendarUrl, "standup-1.ics", standup)) as { url: string; etag: string });
        ({ url: callUrl } = await putEvent(srv, work, "call-1.ics", simpleEvent("call-1", "Client call", utcStamp(tuesday.set({ hour: 14 })), utcStamp(tuesday.set({ hour: 15 })))));
        browser = await launchChromium();
      }, 180_000);

      afterAll(async () => {
        await browser?.close();
        await api?.close();
        removeBuild();
      });

      /** A fresh browser whose own zone and locale differ from the user's: times must follow the user. */
      async function openBrowser(): Promise<{ context: BrowserContext; page: Page; seen: ReturnType<typeof guardPage> }> {
        const context = await browser.newContext({ timezoneId: "America/New_York", locale: "en-GB", viewport: { width: 1280, height: 900 } });
        context.setDefaultTimeout(TIMEOUT);
        const page = await context.newPage();
        return { context, page, seen: guardPage(page) };
      }

      async function signIn(page: Page, email: string, password = PASSWORD) {
        await page.getByRole("textbox", { name: "E-mail" }).fill(email);
        await page.getByLabel("Password", { exact: true }).fill(password);
        await page.getByRole("button", { name: "Sign in" }).click();
      }

      const heading = (page: Page, name: string | RegExp) => page.getByRole("heading", { level: 1, name }).waitFor();
      const menu = (page: Page, name: string) => page.getByRole("navigation", { name: "Main" }).getByRole("link", { name }).click();

      async function openPreviousWeek(page: Page) {
        await menu(page, "Timesheet");
        await heading(page, "Timesheet");
        await page.getByRole("link", { name: "Previous week" }).click();
        await page.getByRole("heading", { name: /^Week total/ }).waitFor();
      }

      const tuesdayRegion = (page: Page) => page.getByRole("region", { name: new RegExp(`^${tuesday.setLocale("en-GB").toLocaleString({ weekday: "long", day: "numeric", month: "long" })}`) });

      async function syncNowOnCalendarsPage(page: Page, expected: RegExp) {
        await menu(page, "Calendars");
        await heading(page, "Calendars");
        await page.getByRole("button", { name: "Sync now" }).click();
        await eventually(() => page.getByRole("status").filter({ hasText: /^Finished/ }).first().innerText()).toMatch(expected);
      }

      it("takes a person from sign-in to a synced, edited week and back out", async () => {
        const { context, page, seen } = await openBrowser();
        // 1. A signed-out visit lands on sign-in, and returns to the page asked for.
        await page.goto(`${api.url}/calendars`);
        await heading(page, "Sign in");
        expect(new URL(page.url()).searchParams.get("next")).toBe("/calendars");
        violations.push(...(await checkPage(page, "sign-in")));
        await signIn(page, "alice@example.com");
        await heading(page, "Calendars");
        violations.push(...(await checkPage(page, "calendars-empty")));

        // 2. Connect by the server's base URL.
        await page.getByRole("link", { name: "Connect a calendar" }).click();
        await heading(page, "Connect a calendar");
        await page.getByRole("textbox", { name: "Calendar server address" }).fill(server().baseUrl);
        await page.getByRole("textbox", { name: "Username" }).fill(server().username);
        await page.getByLabel("Password", { exact: true }).fill(server().password);
        await page.getByRole("button", { name: "Find my calendars" }).click();

        // 3. Choose two of the three calendars, Work with its own project.
        const choices = page.getByRole("group", { name: "Calendars to import" });
        await choices.getByRole("checkbox", { name: "Private" }).uncheck();
        expect(await choices.getByRole("checkbox", { name: "Calendar" }).isChecked()).toBe(true);
        expect(await choices.getByRole("checkbox", { name: "Work" }).isChecked()).toBe(true);
        await page.getByRole("combobox", { name: "Project for Work" }).selectOption({ label: "Acme" });
        await page.getByRole("combobox", { name: "Automatic sync" }).selectOption({ label: "Off: sync by hand only" });
        violations.push(...(await checkPage(page, "connect")));

        // 4. Save and test.
        await page.getByRole("button", { name: "Save and check the connection" }).click();
        await page.getByRole("status").filter({ hasText: "The connection works." }).waitFor();
        const checked = page.getByRole("list", { name: "Calendars checked" });
        // In the server's order, which is not the same on every database.
        await eventually(() => checked.innerText()).toContain("Work: can be synced.");
        expect(await checked.innerText()).toContain("Calendar: can be synced.");

        // 5. The first sync, live until it ends.
        await page.getByRole("button", { name: "Start the first sync" }).click();
        await eventually(() => page.getByRole("status").filter({ hasText: /^Finished/ }).first().innerText()).toMatch(/2 entries created/);

        // 6. The entries at their local times in the user's zone (the browser runs in New York).
        await openPreviousWeek(page);
        const day = tuesdayRegion(page);
        await eventually(() => day.innerText()).toMatch(/09:00–10:30[\s\S]*Standup[\s\S]*14:00–15:00[\s\S]*Acme/);
        expect(await day.innerText()).toContain("From Work (CalDAV)");
        violations.push(...(await checkPage(page, "timesheet")));

        // 7. The event moves on the server; after a sync the entry moves too.
        await updateEvent(server(), standupUrl, simpleEvent("standup-1", "Standup", utcStamp(tuesday.set({ hour: 11 })), utcStamp(tuesday.set({ hour: 12 }))), standupEtag);
        await syncNowOnCalendarsPage(page, /1 updated/);
        violations.push(...(await checkPage(page, "calendars")));
        await openPreviousWeek(page);
        await eventually(() => tuesdayRegion(page).innerText()).toContain("11:00–12:00");

        // 8. Edit the entry's project; a later sync keeps it.
        await page.getByRole("button", { name: "Edit 11:00–12:00 Standup" }).click();
        await page.getByRole("form", { name: "Edit entry" }).getByRole("combobox", { name: "Project" }).selectOption({ label: "Beta" });
        await page.getByRole("button", { name: "Save", exact: true }).click();
        await eventually(() => tuesdayRegion(page).innerText()).toMatch(/11:00–12:00[\s\S]*Beta[\s\S]*you changed its project/);
        await syncNowOnCalendarsPage(page, /Finished/);
        await openPreviousWeek(page);
        await eventually(() => tuesdayRegion(page).innerText()).toMatch(/11:00–12:00[\s\S]*Beta/);

        // Edit another entry's notes, then put it back to the calendar's version.
        await page.getByRole("button", { name: "Edit 14:00–15:00 Client call" }).click();
        await page.getByRole("form", { name: "Edit entry" }).getByRole("textbox", { name: "Notes" }).fill("Call about the invoice");
        await page.getByRole("button", { name: "Save", exact: true }).click();
        await eventually(() => tuesdayRegion(page).innerText()).toMatch(/14:00–15:00[\s\S]*Call about the invoice[\s\S]*you changed its notes/);
        await page.getByRole("button", { name: "Reset 14:00–15:00 Call about the invoice to the calendar's version" }).click();
        await page.getByRole("button", { name: "Edit 14:00–15:00 Client call" }).waitFor();
        expect(await tuesdayRegion(page).innerText()).not.toContain("you changed its notes");

        // Work's only event goes: a calendar that suddenly lists nothing looks like a glitch, so the
        // sync withholds the deletion until the person confirms a full sync (docs/sync.md).
        await deleteEvent(server(), callUrl);
        await syncNowOnCalendarsPage(page, /withheld/);
        await page.getByRole("button", { name: "Review the withheld deletions…" }).click();
        const confirm = page.getByRole("dialog", { name: "Delete the entries of vanished events?" });
        const go = confirm.getByRole("button", { name: "Run a full sync and delete them" });
        expect(await go.isDisabled()).toBe(true);
        await confirm.getByRole("checkbox", { name: "I checked my calendar: these events were really deleted" }).check();
        await go.click();
        await eventually(() => page.getByRole("status").filter({ hasText: /^Finished/ }).first().innerText()).toMatch(/1 deleted/);
        await openPreviousWeek(page);
        await eventually(() => tuesdayRegion(page).innerText()).not.toContain("14:00–15:00");

        // Integration details, then 9. delete it and keep its entries.
        await menu(page, "Calendars");
        await page.getByRole("link", { name: "CalDAV" }).click();
        await heading(page, "CalDAV");
        await page.getByRole("list").filter({ hasText: "Finished" }).first().waitFor();
        violations.push(...(await checkPage(page, "integration")));
        // Unselecting a calendar asks what becomes of its entries (nothing saved here).
        const settings = page.getByRole("form", { name: "Settings" });
        await settings.getByRole("checkbox", { name: "Work" }).uncheck();
        const dropped = settings.getByRole("group", { name: "Entries of the calendars that stop syncing" });
        expect(await dropped.getByRole("radio", { name: "Keep their entries" }).isChecked()).toBe(true);
        await settings.getByRole("checkbox", { name: "Work" }).check();
        expect(await dropped.count()).toBe(0);
        // Invitation settings: a refused address is named; a ticked skip is still ticked after a reload.
        const otherAddresses = settings.getByRole("textbox", { name: "Your other e-mail addresses" });
        await otherAddresses.fill("anna@example.com\nnot an address");
        await settings.getByRole("button", { name: "Save the settings" }).click();
        await settings.getByRole("alert").filter({ hasText: 'The address "not an address" must be an e-mail address' }).waitFor();
        await otherAddresses.fill("anna@example.com");
        await settings.getByRole("checkbox", { name: "Skip invitations I have not accepted" }).check();
        await settings.getByRole("button", { name: "Save the settings" }).click();
        await settings.getByRole("status").filter({ hasText: "Saved." }).waitFor();
        await page.reload();
        await heading(page, "CalDAV");
        expect(await settings.getByRole("checkbox", { name: "Skip invitations I have not accepted" }).isChecked()).toBe(true);
        expect(await settings.getByRole("checkbox", { name: "Skip other people's events that do not list me" }).isChecked()).toBe(false);
        expect(await otherAddresses.inputValue()).toBe("anna@example.com");
        // The call vanished from the calendar; the person deleted nothing, so nothing comes back.
        await page.getByRole("button", { name: "Bring back deleted entries" }).click();
        await page.getByRole("status").filter({ hasText: "You had deleted none of its entries." }).waitFor();
        await page.getByRole("button", { name: "Delete this connection…" }).click();
        const dialog = page.getByRole("dialog", { name: "Delete CalDAV?" });
        expect(await dialog.getByRole("radio", { name: "Keep them in my timesheet" }).isChecked()).toBe(true);
        expect(await dialog.getByRole("radio", { name: "Remove them too" }).isEnabled()).toBe(true);
        await dialog.getByRole("button", { name: "Delete the connection" }).click();
        await heading(page, "Calendars");
        // Kept: the Standup, the one entry left after the call's deletion.
        await eventually(() => page.getByRole("status").filter({ hasText: "CalDAV was deleted." }).innerText()).toContain("No entry removed; 1 entry kept.");
        await eventually(() => page.getByRole("main").innerText()).toContain("No calendar is connected yet.");
        await openPreviousWeek(page);
        await eventually(() => tuesdayRegion(page).innerText()).toMatch(/11:00–12:00[\s\S]*Beta/);

        // 10. Sign out: the app is closed again.
        await page.getByRole("button", { name: "Sign out" }).click();
        await heading(page, "Sign in");
        await page.goto(`${api.url}/timesheet`);
        await heading(page, "Sign in");

        expect(seen.blocked).toEqual([]);
        expect(seen.errors).toEqual([]);
        await context.close();
      });

      it("explains a wrong password, at sign-in and at the calendar server, until it is fixed", async () => {
        const { context, page, seen } = await openBrowser();
        await page.goto(`${api.url}/`);
        // By keyboard alone: the page gives its heading the focus on arrival, the form follows it.
        const title = page.getByRole("heading", { level: 1, name: "Sign in" });
        await eventually(() => title.evaluate((element) => element === document.activeElement)).toBe(true);
        await page.keyboard.press("Tab");
        await page.keyboard.type("alice@example.com");
        await page.keyboard.press("Tab");
        await page.keyboard.type("not the password");
        await page.keyboard.press("Enter");
        // The server's own sentence, not a code and not the "session ended" of a signed-in page.
        await eventually(() => page.getByRole("alert").innerText()).toMatch(/password is wrong: check both and try again\.$/);
        await signIn(page, "alice@example.com");
        await heading(page, "Timesheet");

        await page.goto(`${api.url}/calendars/new`);
        await heading(page, "Connect a calendar");
        await page.getByRole("textbox", { name: "Calendar server address" }).fill(server().baseUrl);
        await page.getByRole("textbox", { name: "Username" }).fill(server().username);
        await page.getByLabel("Password", { exact: true }).fill("wrong");
        await page.getByRole("button", { name: "Find my calendars" }).click();
        const alert = page.getByRole("alert");
        await eventually(() => alert.innerText()).toMatch(/password/i);
        expect(await alert.innerText()).not.toMatch(/AUTH_FAILED|CONNECTION_FAILED/);
        await page.getByLabel("Password", { exact: true }).fill(server().password);
        await page.getByRole("button", { name: "Find my calendars" }).click();
        await page.getByRole("group", { name: "Calendars to import" }).getByRole("checkbox", { name: "Work" }).waitFor();
        expect(await alert.count()).toBe(0);

        await menu(page, "Projects");
        await heading(page, "Projects");
        violations.push(...(await checkPage(page, "projects")));
        await menu(page, "Settings");
        await heading(page, "Settings");
        violations.push(...(await checkPage(page, "settings")));

        // A session that ends while a page is open (expired, or signed out elsewhere) leads to
        // sign-in, and back.
        await context.clearCookies();
        await menu(page, "Calendars");
        await heading(page, "Sign in");
        expect(new URL(page.url()).searchParams.get("next")).toBe("/calendars");
        await signIn(page, "alice@example.com");
        await heading(page, "Calendars");
        expect(seen.blocked).toEqual([]);
        expect(seen.errors).toEqual([]);
        await context.close();
      });

      it("lets an admin add a user, make them admin, give them a token and disable them", async () => {
        const { context, page, seen } = await openBrowser();
        await page.goto(`${api.url}/admin`);
        await signIn(page, "admin@example.com");
        await heading(page, "Admin");
        await page.getByRole("textbox", { name: "E-mail" }).fill("bob@example.com");
        await page.getByRole("textbox", { name: "Name" }).fill("Bob");
        await page.getByLabel("First password").fill("bobs first password");
        await page.getByRole("button", { name: "Add the user" }).click();
        await page.getByRole("button", { name: "Make admin: bob@example.com" }).click();
        await page.getByRole("button", { name: "Take admin rights from bob@example.com" }).waitFor();
        violations.push(...(await checkPage(page, "admin")));
        await page.getByRole("button", { name: "API tokens of bob@example.com" }).click();
        await page.getByRole("textbox", { name: "New token's name" }).fill("Bob's laptop");
        await page.getByRole("button", { name: "Create a token" }).click();
        const shown = page.getByRole("status").filter({ hasText: "Copy the token now" });
        await shown.waitFor();
        const secret = /tt_\S+/.exec(await shown.innerText())?.[0] ?? "";

        // An independent check through the API: Bob is an admin and the shown token is his.
        const bob = await api.graphql(secret, "{ me { email isAdmin } }");
        expect(bob.data?.me).toEqual({ email: "bob@example.com", isAdmin: true });

        // Disabling asks first; afterwards Bob's token no longer works.
        await page.getByRole("button", { name: "Disable bob@example.com" }).click();
        await page.getByRole("dialog", { name: "Disable bob@example.com?" }).getByRole("button", { name: "Disable the user" }).click();
        await eventually(() => page.getByRole("listitem").filter({ hasText: "Bob (bob@example.com)" }).first().innerText()).toContain("disabled");
        const users = await api.graphql(adminToken, "{ users { email disabledAt } }");
        expect(users.data?.users.find((u: { email: string }) => u.email === "bob@example.com")?.disabledAt).toEqual(expect.any(String));
        expect((await api.graphql(secret, "{ me { email } }")).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
        expect(seen.blocked).toEqual([]);
        expect(seen.errors).toEqual([]);
        await context.close();
      });

      it("has no serious or critical accessibility violations on any page (axe-core)", () => {
        expect(violations).toEqual([]);
      });
    });
  },
  {},
  "web app in a browser (Radicale)",
);
