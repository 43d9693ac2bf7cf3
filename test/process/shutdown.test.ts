import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runEntry, serverEntry } from "../helpers/process.js";

/** Far above the second the server needs, far below the 40 s its shutdown timeout allows. */
const EXIT_BOUND_MS = 5_000;

/**
 * Log output as a process manager sees it, and SIGTERM with no sync running ends the process promptly, also with an idle keep-alive
 * connection open and in production mode (as `npm start` runs it, where Apollo would otherwise
 * install signal handlers of its own).
 */
describe("shutdown", () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tt-shutdown-"));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it("exits cleanly on SIGTERM, well within its bound, while a client holds a keep-alive connection", async () => {
    const server = runEntry(serverEntry, [], { DATA_DIR: dataDir, PORT: "0", NODE_ENV: "production" });
    let stdout = "";
    server.child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    try {
      const [, base] = await server.waitFor(/playground: (http:\/\/\S+)\/graphql/);
      const agent = new http.Agent({ keepAlive: true });
      const status = await new Promise<number>((resolve, reject) => {
        http.get(`${base}/healthz`, { agent }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        }).on("error", reject);
      });
      expect(status).toBe(200);
      expect(Object.values(agent.freeSockets).flat()).toHaveLength(1); // the connection stays open

      server.child.kill("SIGTERM");
      const bound = new Promise<"still running">((resolve) => setTimeout(() => resolve("still running"), EXIT_BOUND_MS).unref());
      expect(await Promise.race([server.exited, bound])).toBe(0);
      expect(server.output()).toMatch(/"msg":"stopped"/);
      expect(server.output()).not.toMatch(/shutdown timed out/);
      // Not a terminal: stdout is JSON lines only, for a log collector; the banner went to stderr.
      const lines = stdout.split("\n").filter((line) => line !== "");
      expect(lines.length).toBeGreaterThan(3);
      for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
      agent.destroy();
    } finally {
      server.child.kill("SIGKILL");
    }
  }, 150_000); // the first start creates the embedded database: slow on a busy machine
});
