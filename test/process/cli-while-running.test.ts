import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openScratchPostgres, testDatabaseKind, type TestDatabase } from "../helpers/database.js";
import { runEntry, serverEntry, type RunningProcess } from "../helpers/process.js";

const CLI = "src/cli/main.ts";

/**
 * Admin chores from the command line while the real server runs: on the embedded database the CLI
 * hands them to the server over DATA_DIR/admin.sock (only one process may open it); on PostgreSQL
 * (DATABASE_URL set for the test run) it writes the database itself beside the server.
 */
/** Each CLI call is a process that loads TypeScript and opens a database: on a busy machine, seconds. */
const CLI_STEPS_TIMEOUT_MS = 180_000;

describe(`the CLI while the server runs (${testDatabaseKind})`, { timeout: CLI_STEPS_TIMEOUT_MS }, () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tt-cli-live-"));
  let scratch: TestDatabase | null = null;
  let env: Record<string, string | undefined>;
  let server: RunningProcess;
  let url: string;
  let adminToken: string;

  const cli = async (args: string[], stdin?: string) => {
    const run = runEntry(CLI, args, env, { stdin });
    const code = await run.exited;
    return { code, output: run.output() };
  };
  const graphql = async (headers: Record<string, string>, query: string, variables?: Record<string, unknown>) => {
    const response = await fetch(`${url}/graphql`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ query, variables }) });
    return { status: response.status, cookie: response.headers.getSetCookie()[0]?.split(";")[0], ...((await response.json()) as { data?: any; errors?: any[] }) };
  };

  beforeAll(async () => {
    // On PostgreSQL a database of its own, dropped afterwards; the server and the CLI open their own pools.
    scratch = process.env.DATABASE_URL ? await openScratchPostgres(process.env.DATABASE_URL, "test_cli") : null;
    env = { DATA_DIR: dataDir, DATABASE_URL: scratch?.url ?? undefined, DEFAULT_TIMEZONE: "Europe/Berlin" };
    server = runEntry(serverEntry, [], { ...env, PORT: "0" });
    [, url] = (await server.waitFor(/playground: (http:\/\/\S+)\/graphql/)) as [string, string];
    [, adminToken] = (await server.waitFor(/^\s+(tt_[\w-]{43})$/m)) as [string, string];
  });
  afterAll(async () => {
    server?.child.kill("SIGTERM");
    await server?.exited;
    await scratch?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("the first user is an admin in DEFAULT_TIMEZONE, and the banner says how to set a password", async () => {
    expect((await graphql({ authorization: `Bearer ${adminToken}` }, "{ me { email timezone isAdmin } }")).data?.me).toEqual({
      email: "admin@localhost",
      timezone: "Europe/Berlin",
      isAdmin: true,
    });
    expect(server.output()).toMatch(/npm run cli -- user set-password --email admin@localhost/);
    if (testDatabaseKind === "pglite") expect(fs.statSync(path.join(dataDir, "admin.sock")).mode & 0o777).toBe(0o600);
  });

  it("creates a user, sets their password, lists and revokes their tokens; the server sees each change", async () => {
    const created = await cli(["user", "create", "--email", "Dana@Example.com", "--name", "Dana"]);
    expect(created, created.output).toMatchObject({ code: 0 });
    expect(created.output).toMatch(/Created user dana@example\.com .*time zone Europe\/Berlin/);
    const [, token] = created.output.match(/API token \(shown once\): (tt_[\w-]{43})/) ?? [];
    expect((await graphql({ authorization: `Bearer ${token}` }, "{ me { email name } }")).data?.me).toEqual({ email: "dana@example.com", name: "Dana" });

    const password = await cli(["user", "set-password", "--email", "dana@example.com"], "a password from stdin\n");
    expect(password, password.output).toMatchObject({ code: 0 });
    expect(password.output).not.toContain("a password from stdin");
    const signIn = await graphql({ origin: url }, 'mutation { signIn(email: "dana@example.com", password: "a password from stdin") { email } }');
    expect(signIn.data?.signIn.email).toBe("dana@example.com");
    expect((await graphql({ origin: url, cookie: signIn.cookie! }, "{ me { email } }")).data?.me.email).toBe("dana@example.com");

    const users = await cli(["user", "list"]);
    expect(users.output).toMatch(/^admin@localhost\tEurope\/Berlin\tadmin$/m);
    expect(users.output).toMatch(/^dana@example\.com\tEurope\/Berlin\tmember$/m);

    const second = await cli(["token", "create", "--email", "dana@example.com", "--name", "backup"]);
    const [, secondToken] = second.output.match(/\(shown once\): (tt_[\w-]{43})/) ?? [];
    const listed = await cli(["token", "list", "--email", "dana@example.com"]);
    expect(listed.output.split("\n").filter((l) => l.startsWith("tt_"))).toHaveLength(2);
    expect(listed.output).not.toContain(secondToken);

    const revoke = await cli(["token", "revoke", secondToken!.slice(0, 9)]);
    expect(revoke, revoke.output).toMatchObject({ code: 0 });
    // Through the socket the server revokes it itself: at once. Written by the CLI to PostgreSQL: within the auth cache's second.
    await expect.poll(async () => (await graphql({ authorization: `Bearer ${secondToken}` }, "{ me { email } }")).status, { timeout: 3_000 }).toBe(401);
    expect((await graphql({ authorization: `Bearer ${token}` }, "{ me { email } }")).status).toBe(200);
  });

  it("reports a domain error with its field and a non-zero exit", async () => {
    const dup = await cli(["user", "create", "--email", "dana@example.com"]);
    expect(dup.code).toBe(1);
    expect(dup.output).toMatch(/already exists: use another address/);
    const missing = await cli(["token", "list", "--email", "nobody@example.com"]);
    expect(missing.code).toBe(1);
    expect(missing.output).toMatch(/email: No user with e-mail nobody@example\.com/);
    const short = await cli(["user", "set-password", "--email", "dana@example.com"], "short\n");
    expect(short.code).toBe(1);
    expect(short.output).toMatch(/password: must be at least 8 characters/);
  });
});
