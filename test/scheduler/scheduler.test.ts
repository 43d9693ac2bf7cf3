import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/client.js";
import { integrations, syncRuns } from "../../src/db/schema.js";
import { createCalDAVAccess } from "../../src/integrations/caldav-access.js";
import { CredentialCipher } from "../../src/integrations/credentials.js";
import { createLogger } from "../../src/logger.js";
import { Scheduler, type SchedulerOptions } from "../../src/scheduler/scheduler.js";
import { createServices, type Services } from "../../src/services.js";
import { STALE_RUN_MS } from "../../src/sync/runs.js";
import { startTestApi, type TestApi } from "../helpers/api.js";
import { describeServer } from "../servers/harness.js";
import { putEvent } from "../servers/seed.js";
import { calendar, importedEntries } from "../sync/helpers.js";

/**
 * Scheduled syncs against a real Radicale. On PostgreSQL two scheduler instances with their own
 * connection pools share the work, as two server processes would; on the embedded database one
 * instance does it all (PGlite is one connection in one process).
 */
const SCHEDULER: SchedulerOptions = { concurrency: 3, pollIntervalMs: 50, leaseMs: 60_000, pauseAfterAuthFailures: 3 };
const quiet = createLogger("silent");

describeServer("radicale", (ctx) => {
  let api: TestApi;
  let token: string;
  const cipher = new CredentialCipher(randomBytes(32));
  const schedulers: Scheduler[] = [];
  let second: { database: Database; services: Services } | null = null;

  const tokens: string[] = [];
  /** Each integration for a user of its own (a calendar is synced by one integration of a user); `token` is that user's. */
  const configure = async (input: Record<string, unknown>) => {
    ({ token } = await api.createUser(`scheduled-${tokens.length}@example.com`));
    tokens.push(token);
    return (await api.graphql(token, "mutation($input: ConfigureCalDAVIntegrationInput!) { configureCalDAVIntegration(input: $input) { id } }", { input })).data
      ?.configureCalDAVIntegration.id as string;
  };
  const makeDue = (ids: string[]) => api.database.db.update(integrations).set({ nextSyncAt: new Date(Date.now() - 1000) }).where(sql`${integrations.id} in ${ids}`);
  const runsOf = (id: string) => api.database.db.select().from(syncRuns).where(sql`${syncRuns.integrationId} = ${id}`);

  /** Ticks every scheduler until nothing is due and nothing runs. */
  async function drain(instances: Scheduler[]): Promise<number[]> {
    const claimed = instances.map(() => 0);
    for (let round = 0; round < 400; round++) {
      const counts = await Promise.all(instances.map((s) => s.tick()));
      counts.forEach((n, i) => (claimed[i]! += n));
      if (counts.every((n) => n === 0) && instances.every((s) => s.active === 0)) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await Promise.all(instances.map((s) => s.idle()));
    return claimed;
  }

  beforeAll(async () => {
    api = await startTestApi({ cipher });
    await putEvent(ctx.server(), ctx.server().calendarUrl, "a.ics", calendar(["UID:sched-a", "DTSTART:20250305T090000Z", "DTEND:20250305T100000Z", "SUMMARY:A"]));
    await putEvent(ctx.server(), ctx.server().calendarUrl, "b.ics", calendar(["UID:sched-b", "DTSTART:20250306T090000Z", "DTEND:20250306T100000Z", "SUMMARY:B"]));
    schedulers.push(new Scheduler(api.database.db, api.services.sync, quiet, SCHEDULER));
    if (api.database.url) {
      const database = await openDatabase({ kind: "postgres", url: api.database.url, maxConnections: 5 });
      const services = createServices(database.db, { cipher, caldav: createCalDAVAccess({ caldavAllowPrivateNetworks: true, caldavTimeoutMs: 10_000 }), log: quiet });
      second = { database, services };
      schedulers.push(new Scheduler(database.db, services.sync, quiet, SCHEDULER));
    }
  });
  afterAll(async () => {
    await Promise.all(schedulers.map((s) => s.stop(5_000)));
    await second?.database.close();
    await api.close();
  });

  it("syncs 20 due integrations exactly once per due time, sharing them between instances", async () => {
    const s = ctx.server();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      ids.push(await configure({ name: `cal ${i}`, calendarUrl: s.calendarUrl, username: s.username, password: s.password, lookbackDays: 3650, autoSyncIntervalMinutes: 60 }));
    }
    for (const dueTime of [1, 2]) {
      await makeDue(ids);
      const claimed = await drain(schedulers);
      expect(claimed.reduce((a, b) => a + b, 0)).toBe(20);
      if (schedulers.length > 1) expect(claimed.every((n) => n > 0)).toBe(true);
      for (const id of ids) {
        const runs = await runsOf(id);
        expect(runs).toHaveLength(dueTime);
        expect(runs.every((r) => r.status === "SUCCESS" && r.trigger === "SCHEDULED")).toBe(true);
      }
    }
    const entries = (await Promise.all(tokens.map((t) => importedEntries(api, t)))).flat();
    expect(entries).toHaveLength(40);
    expect(new Set(entries.map((e) => e.id)).size).toBe(40);
    const [row] = await api.database.db.select().from(integrations).where(sql`${integrations.id} = ${ids[0]}`);
    const minutesAhead = (row!.nextSyncAt!.getTime() - Date.now()) / 60_000;
    expect(minutesAhead).toBeGreaterThan(55);
    expect(minutesAhead).toBeLessThan(65);
  });

  it("takes over an integration whose instance died mid-sync, without duplicates", async () => {
    const s = ctx.server();
    const id = await configure({ name: "orphaned", calendarUrl: s.calendarUrl, username: s.username, password: s.password, lookbackDays: 3650, autoSyncIntervalMinutes: 30 });
    // What a dead instance leaves: a RUNNING run whose heartbeat stopped, and a claim whose lease ran out.
    const died = new Date(Date.now() - STALE_RUN_MS - 5_000);
    await api.database.db.insert(syncRuns).values({ integrationId: id, mode: "INCREMENTAL", trigger: "SCHEDULED", startedAt: died, heartbeatAt: died });
    await makeDue([id]);
    const before = (await importedEntries(api, token)).length;

    await drain(schedulers.slice(-1));
    const runs = (await runsOf(id)).sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
    expect(runs.map((r) => r.status)).toEqual(["ERROR", "SUCCESS"]);
    expect(runs[0]!.message).toMatch(/Interrupted/);
    expect((await importedEntries(api, token)).length).toBe(before + 2);
  });

  it("backs off after failed logins, pauses after three, and runs again once resumed", async () => {
    const s = ctx.server();
    const id = await configure({ name: "bad login", calendarUrl: s.calendarUrl, username: s.username, password: "wrong", autoSyncIntervalMinutes: 10 });
    const read = async () => (await api.database.db.select().from(integrations).where(sql`${integrations.id} = ${id}`))[0]!;
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      await makeDue([id]);
      await drain(schedulers.slice(0, 1));
      const row = await read();
      expect(row.consecutiveAuthFailures).toBe(attempt);
      waits.push((row.nextSyncAt!.getTime() - Date.now()) / 60_000);
    }
    // 20, 40 minutes (10 × 2^n, ±5 %), then paused.
    expect(waits[0]).toBeGreaterThan(18);
    expect(waits[1]).toBeGreaterThan(37);
    const paused = await api.graphql(token, "query($id: UUID!) { integration(id: $id) { status attention nextSyncAt } }", { id });
    expect(paused.data?.integration).toMatchObject({ status: "NEEDS_ATTENTION", nextSyncAt: null });
    expect(paused.data?.integration.attention).toMatch(/refused the login 3 times/);

    await makeDue([id]);
    expect(await schedulers[0]!.tick()).toBe(0);

    await api.graphql(token, 'mutation($id: UUID!) { configureCalDAVIntegration(input: {id: $id, password: "secret"}) { id } }', { id });
    const resumed = await api.graphql(token, "query($id: UUID!) { integration(id: $id) { status attention nextSyncAt } }", { id });
    expect(resumed.data?.integration).toMatchObject({ status: "ACTIVE", attention: null });
    expect(new Date(resumed.data?.integration.nextSyncAt).getTime()).toBeLessThanOrEqual(Date.now());
    await drain(schedulers.slice(0, 1));
    expect((await runsOf(id)).filter((r) => r.status === "SUCCESS")).toHaveLength(1);
  });

  it("lets resumeIntegration end a pause without other changes", async () => {
    const s = ctx.server();
    const id = await configure({ name: "paused", calendarUrl: s.calendarUrl, username: s.username, password: s.password, autoSyncIntervalMinutes: 10 });
    await api.database.db.update(integrations).set({ pausedReason: "test pause", consecutiveAuthFailures: 3 }).where(sql`${integrations.id} = ${id}`);
    const res = await api.graphql(token, "mutation($id: UUID!) { resumeIntegration(id: $id) { status attention } }", { id });
    expect(res.data?.resumeIntegration).toEqual({ status: "ACTIVE", attention: null });
    const [row] = await api.database.db.select().from(integrations).where(sql`${integrations.id} = ${id}`);
    expect(row).toMatchObject({ pausedReason: null, consecutiveAuthFailures: 0 });
  });
});
