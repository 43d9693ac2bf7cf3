import "reflect-metadata";
import readline from "node:readline";
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { printSchema } from "graphql";
import { ConfigError, loadConfig } from "../config.js";
import { openDatabase, type Database } from "../db/client.js";
import { DataDirLockedError } from "../db/data-dir-lock.js";
import { AppError } from "../errors.js";
import { buildAppSchema } from "../graphql/schema.js";
import { createLogger } from "../logger.js";
import { runAdminCommand, type AdminRequest } from "./admin-commands.js";
import { sendToRunningServer } from "./admin-socket.js";
import { describeRotation, rotateCredentials } from "./keys.js";
import { createServices, serviceDepsFromConfig, type ServiceDeps } from "../services.js";

const USAGE = `Usage: npm run cli -- <command>

  user create --email <email> [--name <name>] [--timezone <IANA zone>] [--admin]
                                    create a user and print an API token for it
                                    (time zone default: DEFAULT_TIMEZONE, else this machine's)
  user list                         list the users
  user set-password --email <email> set a user's password for signing in, read from
                                    standard input (asked for on a terminal)
  token create --email <email> [--name <label>]
                                    print a new API token for an existing user
  token list --email <email>        list a user's API tokens
  token revoke <token prefix or whole token>
                                    revoke a token (prefixes are shown as tt_XXXXXX)
  db migrate                        apply pending database migrations
  keys rotate                       re-encrypt every stored calendar password under CREDENTIALS_KEY
                                    (old keys in CREDENTIALS_PREVIOUS_KEYS, comma-separated)
  schema print                      print the GraphQL schema (SDL)

Uses the same settings as the server (DATABASE_URL, DATA_DIR, …). With the embedded
database, the user and token commands go to the running server through DATA_DIR/admin.sock
(only one process may open the database); the others need the server stopped.`;

async function withDatabase<T>(run: (database: Database, deps: ServiceDeps) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const deps = serviceDepsFromConfig(config, createLogger(config.logLevel === "info" ? "warn" : config.logLevel));
  const database = await openDatabase(
    config.databaseUrl ? { kind: "postgres", url: config.databaseUrl, maxConnections: 2 } : { kind: "pglite", dataDir: config.dataDir },
  );
  try {
    return await run(database, deps);
  } finally {
    await database.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: "string" },
      name: { type: "string" },
      timezone: { type: "string" },
      admin: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [group, command, ...rest] = positionals;
  const action = `${group ?? ""} ${command ?? ""}`.trim();
  const requireEmail = () => {
    if (!values.email) throw new UsageError("--email is required");
    return values.email;
  };

  switch (values.help ? "" : action) {
    case "user create":
      await administer({ command: "user create", email: requireEmail(), name: values.name, timezone: values.timezone, admin: values.admin });
      return;
    case "user list":
      await administer({ command: "user list" });
      return;
    case "user set-password": {
      const email = requireEmail();
      await administer({ command: "user set-password", email, password: await readPassword(`New password for ${email}: `) });
      return;
    }
    case "token create":
      await administer({ command: "token create", email: requireEmail(), name: values.name });
      return;
    case "token list":
      await administer({ command: "token list", email: requireEmail() });
      return;
    case "token revoke": {
      const prefix = rest[0];
      if (!prefix) throw new UsageError("give the token's prefix (tt_XXXXXX) or the whole token");
      await administer({ command: "token revoke", prefix });
      return;
    }
    case "db migrate":
      await withDatabase(async (database) => print(`Database (${database.kind}) is up to date.`));
      return;
    case "keys rotate":
      await withDatabase(async ({ db }, deps) => {
        const report = await rotateCredentials(db, deps.cipher);
        print(describeRotation(report, deps.cipher.currentKeyId));
        if (report.failed.length > 0) process.exitCode = 1;
      });
      return;
    case "schema print":
      print(printSchema(await buildAppSchema()));
      return;
    default:
      print(USAGE);
      if (!values.help) process.exitCode = 2;
  }
}

/**
 * A user or token chore: on the embedded database, handed to the server if one runs on DATA_DIR
 * (it holds the database); otherwise run here.
 */
async function administer(request: AdminRequest): Promise<void> {
  const config = loadConfig();
  const answer = config.databaseUrl ? null : await sendToRunningServer(config.dataDir, request);
  print(answer ?? (await withDatabase(({ db }, deps) => runAdminCommand(createServices(db, deps).users, request, config.defaultTimezone))));
}

/** One line from standard input; on a terminal asked for, without echoing what is typed. */
async function readPassword(prompt: string): Promise<string> {
  const terminal = process.stdin.isTTY === true;
  if (terminal) process.stderr.write(prompt);
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const lines = readline.createInterface({ input: process.stdin, output: muted, terminal });
  try {
    for await (const line of lines) return line;
  } finally {
    lines.close();
    if (terminal) process.stderr.write("\n");
  }
  throw new UsageError("no password given: type it, or pipe it to standard input");
}

class UsageError extends Error {}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError || error instanceof ConfigError || error instanceof DataDirLockedError) {
    process.stderr.write(`${error.message}\n`);
  } else if (error instanceof AppError) {
    process.stderr.write(`${error.field ? `${error.field}: ` : ""}${error.message}\n`);
  } else {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exitCode = 1;
});
