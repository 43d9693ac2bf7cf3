import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rotateCredentials } from "../../src/cli/keys.js";
import { openDatabase, type Database } from "../../src/db/client.js";
import { createCalDAVAccess } from "../../src/integrations/caldav-access.js";
import { CredentialCipher } from "../../src/integrations/credentials.js";
import { createLogger } from "../../src/logger.js";
import { createServices } from "../../src/services.js";
import { startTestApi, type TestApi } from "../helpers/api.js";
import { capturedLogger } from "../helpers/captured-log.js";
import { runEntry } from "../helpers/process.js";
import { describeServer } from "../servers/harness.js";
import { putEvent } from "../servers/seed.js";
import { calendar, syncNow } from "../sync/helpers.js";
import { dumpAllTables } from "./db-dump.js";

const CONFIGURE = "mutation($input: ConfigureCalDAVIntegrationInput!) { configureCalDAVIntegration(input: $input) { id } }";
const rowsOf = (raw: unknown) => (Array.isArray(raw) ? raw : (raw as { rows: Record<string, unknown>[] }).rows) as Record<string, unknown>[];

async function ciphertexts(db: Database["db"]): Promise<Map<string, string>> {
  const raw = await db.execute(sql`select id, password_ciphertext from integrations order by id`);
  return new Map(rowsOf(raw).map((r) => [String(r.id), String(r.password_ciphertext)]));
}

describe("credentials key rotation", () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);

  it("re-encrypts every row under the current key; old rows decrypt meanwhile; undecryptable rows are reported and left alone", async () => {
    const api = await startTestApi({ cipher: new CredentialCipher(oldKey) });
    try {
      const { token } = await api.createUser("rotate@example.com");
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        ids.push((await api.graphql(token, CONFIGURE, { input: { calendarUrl: `https://dav.example.com/${i}/`, username: "u", password: `pw-${i}` } })).data?.configureCalDAVIntegration.id);
      }
      // one row under a key nobody configured any more
      const lost = new CredentialCipher(randomBytes(32));
      await api.database.db.execute(sql`update integrations set password_ciphertext = ${lost.encrypt("gone", ids[2]!)} where id = ${ids[2]!}`);

      const during = new CredentialCipher(newKey, [oldKey]);
      const before = await ciphertexts(api.database.db);
      expect(during.decrypt(before.get(ids[0]!)!, ids[0]!)).toBe("pw-0"); // the server reads old values during the change
      expect(await rotateCredentials(api.database.db, during)).toEqual({ rotated: 2, current: 0, failed: [ids[2]], skipped: 0 });
      const after = await ciphertexts(api.database.db);
      const only = new CredentialCipher(newKey);
      expect(only.decrypt(after.get(ids[0]!)!, ids[0]!)).toBe("pw-0");
      expect(only.decrypt(after.get(ids[1]!)!, ids[1]!)).toBe("pw-1");
      expect(after.get(ids[2]!)).toBe(before.get(ids[2]!));
      // idempotent
      expect(await rotateCredentials(api.database.db, during)).toEqual({ rotated: 0, current: 2, failed: [ids[2]], skipped: 0 });
    } finally {
      await api.close();
    }
  });

  it("`npm run cli -- keys rotate` rotates a real database (process level)", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "keys-rotate-"));
    const serverUrl = process.env.DATABASE_URL;
    let admin: postgres.Sql | null = null;
    let dbName: string | null = null;
    let env: Record<string, string | undefined> = { DATA_DIR: dataDir };
    let options: Parameters<typeof openDatabase>[0] = { kind: "pglite", dataDir };
    if (serverUrl) {
      admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
      dbName = `test_keys_${randomBytes(5).toString("hex")}`;
      await admin.unsafe(`create database ${dbName}`);
      const url = new URL(serverUrl);
      url.pathname = `/${dbName}`;
      env = { ...env, DATABASE_URL: url.toString() };
      options = { kind: "postgres", url: url.toString() };
    }
    try {
      // the data, written under the old key
      let database = await openDatabase(options);
      const services = createServices(database.db, {
        cipher: new CredentialCipher(oldKey),
        caldav: createCalDAVAccess({ caldavAllowPrivateNetworks: false, caldavTimeoutMs: 1_000 }),
        log: createLogger("silent"),
      });
      const user = await services.users.create({ email: "cli-rotate@example.com", timezone: "UTC" });
      const a = await services.integrations.configure(user.id, { calendarUrl: "https://dav.example.com/a/", username: "a", password: "pw-a" });
      const b = await services.integrations.configure(user.id, { calendarUrl: "https://dav.example.com/b/", username: "b", password: "pw-b" });
      await database.close();

      // without the old key the CLI cannot decrypt: it says so, exits 1 and changes nothing
      const withoutOld = runEntry("src/cli/main.ts", ["keys", "rotate"], { ...env, CREDENTIALS_KEY: newKey.toString("base64"), LOG_LEVEL: "warn" });
      expect(await withoutOld.exited).toBe(1);
      expect(withoutOld.output()).toMatch(/0 re-encrypted.*\n.*2 could not be decrypted/);

      const cli = runEntry("src/cli/main.ts", ["keys", "rotate"], {
        ...env,
        CREDENTIALS_KEY: newKey.toString("base64"),
        CREDENTIALS_PREVIOUS_KEYS: `${randomBytes(32).toString("base64")},${oldKey.toString("base64")}`,
        LOG_LEVEL: "warn",
      });
      expect(await cli.exited, cli.output()).toBe(0);
      expect(cli.output()).toMatch(/2 re-encrypted, 0 already current/);

      database = await openDatabase(options);
      const after = await ciphertexts(database.db);
      const only = new CredentialCipher(newKey);
      expect(only.decrypt(after.get(a.id)!, a.id)).toBe("pw-a");
      expect(only.decrypt(after.get(b.id)!, b.id)).toBe("pw-b");
      expect([...after.values()].every((v) => !only.needsRotation(v))).toBe(true);
      await database.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      if (admin && dbName) {
        await admin.unsafe(`drop database if exists ${dbName} with (force)`);
        await admin.end();
      }
    }
  });
});

/**
 * After real syncs and failures against Radicale: no calendar password, no Basic credentials and no
 * API token anywhere in the database or in the logs.
 */
describeServer(
  "radicale",
  (ctx) => {
    const WRONG = "Wr0ng-pa55word-never-to-be-seen";
    let api: TestApi;
    const logs = capturedLogger();
    const tokens: string[] = [];
    let good: string;
    let bad: string;

    beforeAll(async () => {
      api = await startTestApi({ log: logs.log });
      const user = await api.createUser("leakcheck@example.com");
      tokens.push(user.token, (await api.services.users.createToken(user.id, "second")).token);
      const s = ctx.server();
      await putEvent(s, s.calendarUrl, "lk-test.ics", calendar(["UID:lk-1", "DTSTART:20250304T090000Z", "DTEND:20250304T100000Z", "SUMMARY:Meeting"]));
      good = (await api.graphql(user.token, CONFIGURE, { input: { calendarUrl: s.calendarUrl, username: s.username, password: s.password, lookbackDays: 3650 } })).data
        ?.configureCalDAVIntegration.id;
      // The server URL, not the same calendar again: one calendar is synced by one integration of a user.
      bad = (await api.graphql(user.token, CONFIGURE, { input: { serverUrl: s.baseUrl, username: s.username, password: WRONG, lookbackDays: 3650 } })).data
        ?.configureCalDAVIntegration.id;
    });
    afterAll(() => api?.close());

    const forbidden = () => {
      const s = ctx.server();
      return [
        s.password,
        WRONG,
        Buffer.from(`${s.username}:${s.password}`).toString("base64"),
        Buffer.from(`${s.username}:${WRONG}`).toString("base64"),
        ...tokens,
        ...tokens.map((t) => t.slice(3)), // the secret part after the tt_ prefix
      ];
    };

    it("a successful sync, a failing sync and failing connection tests leave no secret in any table", async () => {
      const token = tokens[0]!;
      expect((await syncNow(api, token, good)).status).toBe("SUCCESS");
      const failed = await syncNow(api, token, bad);
      expect(failed.status).toBe("ERROR");
      expect(failed.message).toMatch(/password|credentials|authentication/i);
      const test = await api.graphql(token, "mutation($id: UUID!) { testConnection(integrationId: $id) { success errorCode message } }", { id: bad });
      expect(test.data?.testConnection).toMatchObject({ success: false, errorCode: "AUTH_FAILED" });
      const discover = await api.graphql(token, "query($i: DiscoverCalendarsInput!) { discoverCalendars(input: $i) { url } }", {
        i: { serverUrl: ctx.server().baseUrl, username: ctx.server().username, password: WRONG },
      });
      expect(discover.errors?.[0]?.extensions?.errorCode).toBe("AUTH_FAILED");
      expect(JSON.stringify([failed, test, discover])).not.toContain(WRONG);

      const dump = JSON.stringify(await dumpAllTables(api.database.db));
      expect(dump).toContain("lk-1"); // the dump does hold the synced data
      for (const secret of forbidden()) expect(dump).not.toContain(secret);
    });

    it("the logs (debug level) of those syncs and tests hold no secret", () => {
      const text = logs.text();
      expect(text.length).toBeGreaterThan(0);
      for (const secret of forbidden()) expect(text).not.toContain(secret);
    });
  },
  {},
  "secrets after syncs against radicale",
);
