/**
 * With the embedded database only the server's process may open it, so the CLI hands its user
 * and token chores to the running server over a Unix socket in DATA_DIR. The socket file is mode
 * 0600: whoever may write it may also read DATA_DIR's database files, so it grants nothing more.
 */
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { AppError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { UserService } from "../users/service.js";
import { ADMIN_COMMANDS, runAdminCommand, type AdminRequest } from "./admin-commands.js";

export const ADMIN_SOCKET_FILE = "admin.sock";
/** A request is one JSON line of a few hundred bytes; anything longer is not from our CLI. */
const MAX_REQUEST_BYTES = 64 * 1024;
/** Connections that say nothing are dropped, so none lingers. */
const IDLE_TIMEOUT_MS = 10_000;

type AdminAnswer = { ok: true; output: string } | { ok: false; message: string; field?: string };

export function adminSocketPath(dataDir: string): string {
  return path.join(dataDir, ADMIN_SOCKET_FILE);
}

/** Listens on DATA_DIR/admin.sock. The caller holds the data folder's lock, so a file left there is stale. */
export async function startAdminSocket(dataDir: string, users: UserService, defaultTimezone: string, log: Logger): Promise<{ stop(): Promise<void> }> {
  const socketPath = adminSocketPath(dataDir);
  fs.rmSync(socketPath, { force: true });
  const server = net.createServer((socket) => {
    socket.setTimeout(IDLE_TIMEOUT_MS, () => socket.destroy());
    let buffered = "";
    socket.on("data", (chunk) => {
      buffered += chunk.toString("utf8");
      const end = buffered.indexOf("\n");
      if (end === -1) {
        if (buffered.length > MAX_REQUEST_BYTES) socket.destroy();
        return;
      }
      socket.removeAllListeners("data");
      void answer(buffered.slice(0, end)).then((reply) => socket.end(`${JSON.stringify(reply)}\n`));
    });
    socket.on("error", () => socket.destroy());
  });
  const answer = async (line: string): Promise<AdminAnswer> => {
    try {
      const request = JSON.parse(line) as AdminRequest;
      if (!ADMIN_COMMANDS.includes(request?.command)) return { ok: false, message: "Unknown command: update the CLI to this server's version." };
      const output = await runAdminCommand(users, request, defaultTimezone);
      log.info({ command: request.command }, "admin command over the socket");
      return { ok: true, output };
    } catch (error) {
      if (error instanceof AppError) return { ok: false, message: error.message, ...(error.field ? { field: error.field } : {}) };
      log.error({ err: error }, "admin command failed");
      return { ok: false, message: "The server failed to run the command: see its log." };
    }
  };
  // The file is made by listen(): a umask keeps it private from the first moment, chmod makes sure.
  const umask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(socketPath, () => resolve());
    });
    fs.chmodSync(socketPath, 0o600);
  } catch (error) {
    // A socket path is limited to ~107 bytes (sun_path); the server is still worth running without it.
    log.warn({ err: error, socketPath }, "no admin socket: the CLI's user and token commands need the server stopped");
    server.close();
    return { stop: async () => {} };
  } finally {
    process.umask(umask);
  }
  server.on("error", (error) => log.error({ err: error }, "admin socket failed"));
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        fs.rmSync(socketPath, { force: true });
      }),
  };
}

/**
 * Sends one request to the server running on this DATA_DIR. Null when none listens (no socket
 * file, or one left by a server that is gone): then the CLI opens the database itself.
 */
export function sendToRunningServer(dataDir: string, request: AdminRequest): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(adminSocketPath(dataDir));
    let reply = "";
    socket.setTimeout(60_000, () => socket.destroy(new Error("The server did not answer within a minute: see its log.")));
    socket.on("connect", () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on("data", (chunk) => (reply += chunk.toString("utf8")));
    socket.on("end", () => {
      try {
        const answer = JSON.parse(reply) as AdminAnswer;
        if (answer.ok) resolve(answer.output);
        else reject(new AppError("BAD_USER_INPUT", answer.message, answer.field));
      } catch {
        reject(new Error("The server's answer was garbled: is DATA_DIR shared with another version?"));
      }
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT" || error.code === "ECONNREFUSED") resolve(null);
      else reject(error);
    });
  });
}
