/**
 * What the web app's browser tests share: the app built once into a temporary folder, Debian's
 * Chromium, an axe-core scan, and screenshots for docs/screenshots (SCREENSHOTS=1).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { build } from "vite";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SCREENSHOT_DIR = path.join(ROOT, "docs", "screenshots");
const takeScreenshots = process.env.SCREENSHOTS === "1";
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** Builds the web app as `npm start` does, into a folder of its own; returns it and a cleanup. */
export async function buildWebApp(): Promise<{ dir: string; remove: () => void }> {
  const dir = mkdtempSync(path.join(tmpdir(), "web-app-"));
  // Vite builds for the NODE_ENV it finds, and vitest sets it to "test": build what people get.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await build({ configFile: path.join(ROOT, "web", "vite.config.ts"), build: { outDir: dir, emptyOutDir: true } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** Fails the page on any request that leaves loopback, and collects the page's script errors. */
export function guardPage(page: Page): { blocked: string[]; errors: string[] } {
  const seen = { blocked: [] as string[], errors: [] as string[] };
  void page.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (["127.0.0.1", "localhost", "[::1]"].includes(url.hostname) || ["blob:", "data:"].includes(url.protocol)) return route.continue();
    seen.blocked.push(url.href);
    return route.abort();
  });
  page.on("pageerror", (error) => seen.errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error" && !/status of 4\d\d/.test(message.text())) seen.errors.push(message.text());
  });
  return seen;
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * Scans the page as it is with axe-core and answers its serious and critical violations; with
 * SCREENSHOTS=1 also saves it at 1280 and 375 px wide.
 */
export async function checkPage(page: Page, name: string): Promise<string[]> {
  // Evaluated over the DevTools protocol: the app's Content-Security-Policy refuses inline scripts.
  await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (options: object) => Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run({ resultTypes: ["violations"] })).violations;
  })) as AxeViolation[];
  if (takeScreenshots) {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const size = page.viewportSize();
    for (const width of [1280, 375]) {
      await page.setViewportSize({ width, height: 900 });
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-${width}.png`), fullPage: true, animations: "disabled" });
    }
    if (size) await page.setViewportSize(size);
  }
  return violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${name}: ${violation.id} (${violation.help}) at ${violation.nodes.map((node) => JSON.stringify(node.target)).join(", ")}`);
}
