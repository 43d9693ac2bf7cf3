import fs from "node:fs";
import path from "node:path";
import type { Logger } from "./logger.js";
import type { Services } from "./services.js";

export const INITIAL_TOKEN_FILE = "initial-token";

/**
 * On an empty database, creates a first user and prints its token once, so the playground works
 * right away. The token is also written to DATA_DIR/initial-token (mode 0600) for the README's curl.
 */
export async function createFirstUserIfEmpty(
  services: Services,
  options: { dataDir: string; timezone: string; print: (line: string) => void },
  log: Logger,
): Promise<void> {
  if ((await services.users.count()) > 0) return;
  const email = "admin@localhost";
  const user = await services.users.create({ email, name: "Administrator", timezone: options.timezone, isAdmin: true });
  const { token } = await services.users.createToken(user.id, "initial token");
  fs.mkdirSync(options.dataDir, { recursive: true });
  const tokenPath = path.join(options.dataDir, INITIAL_TOKEN_FILE);
  fs.writeFileSync(tokenPath, `${token}\n`, { mode: 0o600 });
  log.info({ userId: user.id, tokenFile: tokenPath }, "created the first user");
  options.print(
    [
      "",
      `First start: created user ${email}, an admin, in time zone ${user.timezone} (DEFAULT_TIMEZONE, else this machine's).`,
      `Its API token (shown once, also saved to ${tokenPath}):`,
      "",
      `    ${token}`,
      "",
      "Send it as 'Authorization: Bearer <token>'. To sign in with a password instead, set one (works while the server runs):",
      `    npm run cli -- user set-password --email ${email}`,
      "Change the e-mail, name and time zone with the updateMe mutation; add people with createUser or",
      "    npm run cli -- user create --email you@example.com",
      "",
    ].join("\n"),
  );
}
