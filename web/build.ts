/**
 * Builds the web app into dist/web unless it is newer than every source (as `tsc -b` does for the
 * server), so a restart with nothing changed starts at once. `--force` always builds.
 */
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";

const WEB = path.dirname(fileURLToPath(import.meta.url));
const BUILT = path.join(WEB, "../dist/web/index.html");
const INPUTS = [WEB, path.join(WEB, "../package-lock.json")];

function newestChange(file: string): number {
  const stat = statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(file).reduce((newest, name) => Math.max(newest, newestChange(path.join(file, name))), stat.mtimeMs);
}

function builtAt(): number {
  try {
    return statSync(BUILT).mtimeMs;
  } catch {
    return 0;
  }
}

if (process.argv.includes("--force") || Math.max(...INPUTS.map(newestChange)) > builtAt()) {
  await build({ configFile: path.join(WEB, "vite.config.ts") });
}
