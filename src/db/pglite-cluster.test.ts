import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "./client.js";
import { ensurePgliteCluster, PgliteClusterError } from "./pglite-cluster.js";

/** PGlite answers with { rows }. */
async function rowsOf(database: Database, statement: string): Promise<unknown[]> {
  return ((await database.db.execute(statement)) as unknown as { rows: unknown[] }).rows;
}

describe("the embedded database's cluster", () => {
  const dirs: string[] = [];
  const scratch = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tt-cluster-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("is created in a child process, replacing what an interrupted first start left", async () => {
    const dataDir = scratch();
    const cluster = path.join(dataDir, "pglite");
    fs.mkdirSync(`${cluster}.initdb`);
    fs.writeFileSync(`${cluster}.initdb/half-written`, "");
    const rssBefore = process.memoryUsage().rss;

    await ensurePgliteCluster(cluster);

    // initdb in this process would have left it ≈ 500 MB larger (see ensurePgliteCluster).
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
    expect(fs.existsSync(path.join(cluster, "PG_VERSION"))).toBe(true);
    expect(fs.existsSync(`${cluster}.initdb`)).toBe(false);
  });

  it("opens with the smaller buffer pool and keeps its data across opens", async () => {
    const dataDir = scratch();
    const first = await openDatabase({ kind: "pglite", dataDir });
    expect(await rowsOf(first, "show shared_buffers")).toEqual([{ shared_buffers: "32MB" }]);
    await rowsOf(first, "create table kept (id int)");
    await first.close();

    const second = await openDatabase({ kind: "pglite", dataDir });
    expect(await rowsOf(second, "select count(*)::int as n from kept")).toEqual([{ n: 0 }]);
    await second.close();
  });

  it("refuses a folder that holds something else, and leaves it as it was", async () => {
    const cluster = path.join(scratch(), "pglite");
    fs.mkdirSync(cluster);
    fs.writeFileSync(path.join(cluster, "notes.txt"), "mine");

    const error = await ensurePgliteCluster(cluster).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PgliteClusterError);
    expect(error).toMatchObject({ code: "PGLITE_CLUSTER", message: expect.stringMatching(/holds no database/) });
    expect(fs.readdirSync(cluster)).toEqual(["notes.txt"]);
    expect(fs.existsSync(`${cluster}.initdb`)).toBe(false);
  });
});
