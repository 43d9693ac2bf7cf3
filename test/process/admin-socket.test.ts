import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSocketPath, sendToRunningServer, startAdminSocket } from "../../src/cli/admin-socket.js";
import { UserService } from "../../src/users/service.js";
import { capturedLogger } from "../helpers/captured-log.js";
import { openTestDatabase, type TestDatabase } from "../helpers/database.js";

/** The channel between the CLI and the running server, in one process: what each side does with the unexpected. */
describe("the admin socket", () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tt-sock-"));
  const captured = capturedLogger();
  let database: TestDatabase;
  let users: UserService;
  let socket: { stop(): Promise<void> };

  /** One raw line to the socket, as something other than our CLI might send. */
  const raw = (line: string) =>
    new Promise<string>((resolve, reject) => {
      const client = net.connect(adminSocketPath(dataDir), () => client.write(line));
      let reply = "";
      client.on("data", (chunk) => (reply += chunk));
      client.on("end", () => resolve(reply));
      client.on("error", reject);
    });

  beforeAll(async () => {
    database = await openTestDatabase();
    users = new UserService(database.db);
    await users.create({ email: "sock@example.com", isAdmin: true });
    fs.writeFileSync(adminSocketPath(dataDir), "left by a crashed server");
    socket = await startAdminSocket(dataDir, users, "Asia/Tokyo", captured.log);
  });
  afterAll(async () => {
    await socket?.stop();
    await database?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("replaces a stale file and is private to the server's account", () => {
    const stat = fs.statSync(adminSocketPath(dataDir));
    expect(stat.isSocket()).toBe(true);
    expect(stat.mode & 0o777).toBe(0o600);
  });

  it("runs the CLI's requests with the server's default time zone", async () => {
    expect(await sendToRunningServer(dataDir, { command: "user create", email: "new@example.com" })).toMatch(/time zone Asia\/Tokyo/);
    expect(await sendToRunningServer(dataDir, { command: "user list" })).toMatch(/^sock@example\.com\tUTC\tadmin\nnew@example\.com\tAsia\/Tokyo\tmember$/);
  });

  it("answers domain errors with their field, and unknown or garbled requests with a sentence", async () => {
    await expect(sendToRunningServer(dataDir, { command: "user set-password", email: "new@example.com", password: "short" })).rejects.toMatchObject({
      field: "password",
      message: expect.stringMatching(/at least 8 characters/),
    });
    expect(JSON.parse(await raw('{"command":"db drop"}\n'))).toEqual({ ok: false, message: "Unknown command: update the CLI to this server's version." });
    expect(JSON.parse(await raw("not json\n"))).toMatchObject({ ok: false });
    expect(captured.text()).not.toContain("short");
  });

  it("tells the CLI when no server listens: no socket, or one whose server is gone", async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "tt-sock-none-"));
    try {
      expect(await sendToRunningServer(empty, { command: "user list" })).toBeNull();
      // a server killed with SIGKILL leaves its socket file behind, with nobody listening
      const killed = spawn(process.execPath, ["-e", `require("net").createServer().listen(${JSON.stringify(adminSocketPath(empty))}, () => console.log("up"))`]);
      await new Promise((resolve) => killed.stdout.once("data", resolve));
      killed.kill("SIGKILL");
      await new Promise((resolve) => killed.once("exit", resolve));
      expect(fs.statSync(adminSocketPath(empty)).isSocket()).toBe(true);
      expect(await sendToRunningServer(empty, { command: "user list" })).toBeNull();
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it("lets the server start without it when DATA_DIR is too long for a socket path", async () => {
    const deep = path.join(dataDir, "d".repeat(120));
    fs.mkdirSync(deep);
    const none = await startAdminSocket(deep, users, "UTC", captured.log);
    await none.stop();
    expect(captured.text()).toMatch(/no admin socket/);
  });
});
