/**
 * node --import tsx bench/web-week.ts — how the web app's timesheet copes with a full week:
 * 500 entries (WEB_WEEK_ENTRIES) in one week, opened in Chromium. Reports the browser's main-thread
 * CPU (Chrome's TaskDuration, ScriptDuration and LayoutDuration: busy time, not wall time, since the
 * machine may be shared) to show the week, and to open and close one entry's edit form.
 * Runs on 127.0.0.1 only and stops by itself.
 */
import "reflect-metadata";
import { DateTime } from "luxon";
import type { CDPSession, Page } from "playwright-core";
import { startTestApi } from "../test/helpers/api.js";
import { buildWebApp, launchChromium } from "../test/e2e/web-app-harness.js";

const ENTRIES = Number(process.env.WEB_WEEK_ENTRIES ?? 500);
const ZONE = "Europe/Berlin";
const PASSWORD = "bench password 1";
const BATCH = 50;

type Metrics = Record<string, number>;

async function metrics(cdp: CDPSession): Promise<Metrics> {
  const { metrics } = (await cdp.send("Performance.getMetrics")) as { metrics: { name: string; value: number }[] };
  return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
}

async function cpuOf(cdp: CDPSession, action: () => Promise<void>): Promise<string> {
  const before = await metrics(cdp);
  await action();
  const after = await metrics(cdp);
  const ms = (name: string) => `${(((after[name] ?? 0) - (before[name] ?? 0)) * 1000).toFixed(0)} ms`;
  return `task ${ms("TaskDuration")} (script ${ms("ScriptDuration")}, layout ${ms("LayoutDuration")}, style ${ms("RecalcStyleDuration")})`;
}

const built = await buildWebApp();
const api = await startTestApi({ webAppDir: built.dir, passwordHashing: { ln: 14, r: 8, p: 1 } });
const browser = await launchChromium();
try {
  const user = await api.services.users.create({ email: "week@example.com", timezone: ZONE, password: PASSWORD });
  const { token } = await api.services.users.createToken(user.id, "bench");
  const monday = DateTime.now().setZone(ZONE).startOf("week");
  // Spread over the week's working hours: 500 entries is ~14 a day-hour slot of 7 days × 10 h.
  for (let start = 0; start < ENTRIES; start += BATCH) {
    const fields = Array.from({ length: Math.min(BATCH, ENTRIES - start) }, (_, k) => {
      const i = start + k;
      const begin = monday.plus({ days: i % 7, hours: 8 + (i % 10), minutes: (i * 7) % 50 });
      return `e${k}: createTimeEntry(input: {startTime: "${begin.toUTC().toISO()}", endTime: "${begin.plus({ minutes: 10 }).toUTC().toISO()}", notes: "Entry ${i}"}) { id }`;
    });
    const answer = await api.graphql(token, `mutation { ${fields.join("\n")} }`);
    if (answer.errors) throw new Error(JSON.stringify(answer.errors));
  }
  const page: Page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  await page.goto(`${api.url}/sign-in`);
  await page.getByRole("textbox", { name: "E-mail" }).fill("week@example.com");
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { level: 1, name: "Timesheet" }).waitFor();
  // From here on the page is driven with plain DOM calls: Playwright's role queries compute
  // accessible names on the page's main thread and would be counted in its CPU time.
  const lastEdit = `button[aria-label$="Entry ${ENTRIES - 1}"]`;
  const click = (selector: string) => page.evaluate((s) => (document.querySelector(s) as HTMLElement).click(), selector);
  const appears = (selector: string) => page.waitForFunction((s) => document.querySelector(s) !== null, selector, { polling: 50 });
  const goes = (selector: string) => page.waitForFunction((s) => document.querySelector(s) === null, selector, { polling: 50 });
  await appears(lastEdit);
  const show = await cpuOf(cdp, async () => {
    await click('a[href*="week="]:last-of-type');
    await goes(lastEdit);
    await page.goBack();
    await appears(lastEdit);
  });
  const edit = await cpuOf(cdp, async () => {
    await click(lastEdit);
    await appears('form[aria-label="Edit entry"]');
    await click('form[aria-label="Edit entry"] button[type="button"]');
    await goes('form[aria-label="Edit entry"]');
  });
  console.log(`${ENTRIES} entries in a week, Chromium main thread CPU:`);
  console.log(`  show the week again (after an empty week):    ${show}`);
  console.log(`  open and close one entry's edit form:          ${edit}`);
} finally {
  await browser.close();
  await api.close();
  built.remove();
}
