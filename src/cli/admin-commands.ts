/**
 * The user and token chores of the CLI, as requests that either the CLI runs on the database
 * itself or hands to the running server over its admin socket (src/cli/admin-socket.ts): the same
 * code answers both ways.
 */
import { AppError } from "../errors.js";
import type { UserService } from "../users/service.js";

export type AdminRequest =
  | { command: "user create"; email: string; name?: string; timezone?: string; admin?: boolean }
  | { command: "user list" }
  | { command: "user set-password"; email: string; password: string }
  | { command: "token create"; email: string; name?: string }
  | { command: "token list"; email: string }
  | { command: "token revoke"; prefix: string };

export const ADMIN_COMMANDS: readonly AdminRequest["command"][] = ["user create", "user list", "user set-password", "token create", "token list", "token revoke"];

/** Runs one request; returns what the CLI prints. Domain errors (AppError) are thrown as they are. */
export async function runAdminCommand(users: UserService, request: AdminRequest, defaultTimezone: string): Promise<string> {
  const userByEmail = async (email: string) => {
    const user = await users.findByEmail(email);
    if (!user) throw new AppError("NOT_FOUND", `No user with e-mail ${email}: list them with "user list".`, "email");
    return user;
  };
  switch (request.command) {
    case "user create": {
      const user = await users.create({ email: request.email, name: request.name, timezone: request.timezone ?? defaultTimezone, isAdmin: request.admin });
      const { token } = await users.createToken(user.id, "created by cli");
      return `Created user ${user.email} (${user.id})${user.isAdmin ? ", an admin" : ""}, time zone ${user.timezone}.\nAPI token (shown once): ${token}`;
    }
    case "user list": {
      const rows = (await users.list()).map((u) => `${u.email}\t${u.timezone}\t${u.isAdmin ? "admin" : "member"}${u.disabledAt ? "\tdisabled" : ""}`);
      return rows.join("\n");
    }
    case "user set-password": {
      const user = await userByEmail(request.email);
      await users.setPassword(user.id, request.password);
      return `Set the password of ${user.email}: they can sign in with it now.`;
    }
    case "token create": {
      const user = await userByEmail(request.email);
      const { token } = await users.createToken(user.id, request.name ?? "created by cli");
      return `API token for ${user.email} (shown once): ${token}`;
    }
    case "token list": {
      const user = await userByEmail(request.email);
      const rows = (await users.listTokens(user.id)).map(
        (t) => `${t.prefix}…\t${t.name}\tcreated ${t.createdAt.toISOString()}\t${t.revokedAt ? "revoked" : `last used ${t.lastUsedAt?.toISOString() ?? "never"}`}`,
      );
      return rows.join("\n") || `${user.email} has no API tokens.`;
    }
    case "token revoke": {
      const record = await users.revokeToken(request.prefix);
      return `Revoked token ${record.prefix}… ("${record.name}").`;
    }
  }
}
