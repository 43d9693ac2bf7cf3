/**
 * The embedded database's PostgreSQL cluster on disk: how it is created and how it is started.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { promisify } from "node:util";
import { PGlite } from "@electric-sql/pglite";

/**
 * PGlite's defaults plus a smaller buffer pool. PostgreSQL clears its whole pool at start, so the
 * default 128 MB is resident from the first second; the data lives in the file system (or, in
 * memory, in PGlite's own file system) either way, and 32 MB measured as fast for the import and
 * the API pages (docs/benchmarks.md).
 */
export const PGLITE_START_PARAMS = [...PGlite.defaultStartParams, "-c", "shared_buffers=32MB"];

export class PgliteClusterError extends Error {
  readonly code = "PGLITE_CLUSTER";
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PgliteClusterError";
  }
}

const INITDB_TIMEOUT_MS = 120_000;

/**
 * Creates the cluster in `dir` unless it holds one. initdb runs in a child process: it needs a
 * second WebAssembly instance, and a process that ran it stays ≈ 500 MB larger for the rest of its
 * life (the allocator keeps the memory after the instance is gone), so a server that created its
 * database at its first start held ≈ 800 MB until restarted. The cluster is built beside `dir` and
 * renamed into place, so an interrupted first start leaves no half-made cluster behind.
 */
export async function ensurePgliteCluster(dir: string): Promise<void> {
  if (fs.existsSync(path.join(dir, "PG_VERSION"))) return;
  const building = `${dir}.initdb`;
  fs.rmSync(building, { recursive: true, force: true }); // ours, from an interrupted first start
  const pgliteModule = createRequire(import.meta.url).resolve("@electric-sql/pglite");
  const script = `
    const { PGlite } = require(process.argv[1]);
    const db = new PGlite(process.argv[2]);
    db.waitReady.then(() => db.close()).then(() => process.exit(0), (error) => { console.error(error); process.exit(1); });`;
  try {
    await promisify(execFile)(process.execPath, ["-e", script, pgliteModule, building], { timeout: INITDB_TIMEOUT_MS });
  } catch (error) {
    fs.rmSync(building, { recursive: true, force: true });
    const detail = (error as { stderr?: string }).stderr?.trim().slice(-500) || (error as Error).message;
    throw new PgliteClusterError(`Could not create the embedded database in ${dir}: ${detail}`, { cause: error });
  }
  try {
    fs.renameSync(building, dir); // replaces an empty dir; a non-empty one without PG_VERSION is not ours to delete
  } catch (error) {
    fs.rmSync(building, { recursive: true, force: true });
    throw new PgliteClusterError(`${dir} exists but holds no database (no PG_VERSION); move it away or point DATA_DIR elsewhere.`, { cause: error });
  }
}
