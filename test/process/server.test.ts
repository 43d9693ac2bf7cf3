import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runEntry, serverEntry } from "../helpers/process.js";

/** The server as a newcomer runs it: a real process on the embedded database in a fresh DATA_DIR. */
describe("server process on the embedded database", () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tt-server-"));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it("creates a first user, prints its token once, refuses a second process, and stops on SIGTERM", async () => {
    const server = runEntry(serverEntry, [], { DATA_DIR: dataDir, PORT: "0" });
    const [, url] = await server.waitFor(/playground: (http:\/\/\S+)\/graphql/);
    const [, token] = await server.waitFor(/^\s+(tt_[\w-]{43})$/m);

    const tokenFile = path.join(dataDir, "initial-token");
    expect(fs.readFileSync(tokenFile, "utf8").trim()).toBe(token);
    expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(server.output().split(token!).length - 1).toBe(1); // printed once, never logged

    const me = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: "{ me { email } }" }),
    });
    expect(await me.json()).toEqual({ data: { me: { email: "admin@localhost" } } });

    const second = runEntry(serverEntry, [], { DATA_DIR: dataDir, PORT: "0" });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/Another process \(PID \d+\) is using the embedded database/);

    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    expect(fs.existsSync(path.join(dataDir, "pglite.lock"))).toBe(false);

    // Restart on the same data: no second first-user, data kept.
    const again = runEntry(serverEntry, [], { DATA_DIR: dataDir, PORT: "0" });
    await again.waitFor(/playground:/);
    expect(again.output()).not.toMatch(/First start/);
    again.child.kill("SIGTERM");
    expect(await again.exited).toBe(0);
  });

  it("refuses to start with every bad setting named", async () => {
    const server = runEntry(serverEntry, [], { DATA_DIR: dataDir, PORT: "http", LOG_LEVEL: "loud", DEFAULT_TIMEZONE: "Mars/Base" });
    expect(await server.exited).toBe(1);
    expect(server.output()).toMatch(/PORT must be a whole number/);
    expect(server.output()).toMatch(/LOG_LEVEL must be one of/);
    expect(server.output()).toMatch(/DEFAULT_TIMEZONE must be an IANA time zone/);
  });

  // Each CLI call is a process that loads TypeScript and opens the embedded database: seconds each on a busy machine.
  it("creates users and revokes tokens from the command line", { timeout: 180_000 }, async () => {
    const cliDir = fs.mkdtempSync(path.join(os.tmpdir(), "tt-cli-"));
    try {
      const create = runEntry("src/cli/main.ts", ["user", "create", "--email", "Carol@Example.com", "--timezone", "Europe/Vienna"], { DATA_DIR: cliDir });
      expect(await create.exited).toBe(0);
      const [, token] = create.output().match(/API token \(shown once\): (tt_[\w-]{43})/) ?? [];
      expect(token).toBeDefined();

      const dup = runEntry("src/cli/main.ts", ["user", "create", "--email", "carol@example.com"], { DATA_DIR: cliDir });
      expect(await dup.exited).toBe(1);
      expect(dup.output()).toMatch(/already exists/);

      const revoke = runEntry("src/cli/main.ts", ["token", "revoke", token!.slice(0, 9)], { DATA_DIR: cliDir });
      expect(await revoke.exited).toBe(0);
      expect(revoke.output()).toMatch(/Revoked token tt_/);

      const again = runEntry("src/cli/main.ts", ["token", "revoke", token!], { DATA_DIR: cliDir });
      expect(await again.exited).toBe(1);
      expect(again.output()).toMatch(/not found/);
    } finally {
      fs.rmSync(cliDir, { recursive: true, force: true });
    }
  });
});
