import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/**
 * The process tests start the server as `npm start` does: the compiled build in dist/. Build it
 * once per test run, as `npm start` does (`tsc -b`: nothing to do when no input changed).
 */
export default function buildServer(): void {
  const root = fileURLToPath(new URL("..", import.meta.url));
  execFileSync(process.execPath, [createRequire(import.meta.url).resolve("typescript/bin/tsc"), "-b", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
}
