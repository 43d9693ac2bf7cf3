import "reflect-metadata";
import { parseArgs } from "node:util";
import { printSchema } from "graphql";
import { ConfigError, loadConfig } from "../config.js";
import { openDatabase, type Database } from "../db/client.js";
import { DataDirLockedError } from "../db/data-dir-lock.js";
import { AppError } from "../errors.js";
import { buildAppSchema } from "../graphql/schema.js";
import { createLogger } from "../logger.js";
import { describeRotation, rotateCredentials } from "./keys.js";
import { createServices, serviceDepsFromConfig, type ServiceDeps } from "../services.js";

const USAGE = `Usage: npm run cli -- <command>

  user create --email <email> [--name <name>] [--timezone <IANA zone>]
                                    create a user and print an API token for it
  token create --email <email> [--name <label>]
                                    print a new API token for an existing user
  token revoke <token prefix or whole token>
                                    revoke a token (prefixes are shown as tt_XXXXXX)
  db migrate                        apply pending database migrations
  keys rotate                       re-encrypt every stored calendar password under CREDENTIALS_KEY
                                    (old keys in CREDENTIALS_PREVIOUS_KEYS, comma-separated)
  schema print                      print the GraphQL schema (SDL)

Uses the same settings as the server (DATABASE_URL, DATA_DIR, …). With the embedded
database, stop the server first: only one process may open it.`;

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
      await withDatabase(async ({ db }, deps) => {
        const services = createServices(db, deps);
        const user = await services.users.create({ email: requireEmail(), name: values.name, timezone: values.timezone });
        const { token } = await services.users.createToken(user.id, "created by cli");
        print(`Created user ${user.email} (${user.id}).\nAPI token (shown once): ${token}`);
      });
      return;
    case "token create":
      await withDatabase(async ({ db }, deps) => {
        const services = createServices(db, deps);
        const user = await services.users.findByEmail(requireEmail());
        if (!user) throw new UsageError(`No user with e-mail ${values.email}`);
        const { token } = await services.users.createToken(user.id, values.name ?? "created by cli");
        print(`API token for ${user.email} (shown once): ${token}`);
      });
      return;
    case "token revoke": {
      const prefix = rest[0];
      if (!prefix) throw new UsageError("give the token's prefix (tt_XXXXXX) or the whole token");
      await withDatabase(async ({ db }, deps) => {
        const record = await createServices(db, deps).users.revokeToken(prefix);
        print(`Revoked token ${record.prefix}… ("${record.name}").`);
      });
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
