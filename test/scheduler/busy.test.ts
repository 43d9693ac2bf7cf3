import { inArray } from "drizzle-orm";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import type { Db } from "../../src/db/client.js";
import { openDatabase, type Database } from "../../src/db/client.js";
import { integrations, users } from "../../src/db/schema.js";
import { createLogger } from "../../src/logger.js";
import { Scheduler, type ScheduledSyncs, type SchedulerOptions } from "../../src/scheduler/scheduler.js";
import type { SyncRun } from "../../src/sync/runs.js";
import { openTestDatabase, type TestDatabase } from "../helpers/database.js";

/**
 * The scheduler's own behaviour under a backlog, with the sync replaced by a ledger that records
 * every scheduled sync (which instance, which integration, how many at once). No CalDAV server:
 * what is proven here is the claiming, not the sync. On PostgreSQL the second instance has its
 * own connection pool, as a second process would.
 */
const quiet = createLogger("silent");
const HOUR_MS = 3_600_000;
const SUCCESS = { status: "SUCCESS", errorCode: null, retryAfterMs: null } as SyncRun;

class SyncLedger {
  readonly runs: { integrationId: string; instance: number }[] = [];
  running = 0;
  maxRunning = 0;
  /** Syncs started while another sync of the same integration was running, in any instance. */
  overlaps = 0;
  private readonly inFlight = new Set<string>();

  constructor(private readonly sync: (integrationId: string) => Promise<void>) {}

  instance(index: number): ScheduledSyncs {
    return {
      syncScheduled: async (integration) => {
        if (this.inFlight.has(integration.id)) this.overlaps++;
        this.inFlight.add(integration.id);
        this.runs.push({ integrationId: integration.id, instance: index });
        this.maxRunning = Math.max(this.maxRunning, ++this.running);
        try {
          await this.sync(integration.id);
        } finally {
          this.running--;
          this.inFlight.delete(integration.id);
        }
        return SUCCESS;
      },
    };
  }
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let database: TestDatabase;
let second: Database | null = null;
let userId: string;

beforeAll(async () => {
  database = await openTestDatabase();
  if (database.url) second = await openDatabase({ kind: "postgres", url: database.url, maxConnections: 4 });
  const [user] = await database.db.insert(users).values({ email: "busy@example.com" }).returning();
  userId = user!.id;
});
afterAll(async () => {
  await second?.close();
  await database?.close();
});

async function dueIntegrations(count: number, intervalMinutes: number, dueAt: Date): Promise<string[]> {
  const rows = await database.db
    .insert(integrations)
    .values(
      Array.from({ length: count }, (_, i) => ({
        userId,
        name: `due ${i}`,
        calendarUrl: "http://calendar.invalid/",
        username: "u",
        passwordCiphertext: "unused: the sync is replaced",
        timezone: "UTC",
        autoSyncIntervalMinutes: intervalMinutes,
        nextSyncAt: dueAt,
      })),
    )
    .returning({ id: integrations.id });
  return rows.map((row) => row.id);
}

const schedulerOn = (db: Db, syncs: ScheduledSyncs, options: Partial<SchedulerOptions>) =>
  new Scheduler(db, syncs, quiet, { concurrency: 4, pollIntervalMs: HOUR_MS, leaseMs: 60_000, pauseAfterAuthFailures: 3, ...options });

it("works off 20 due integrations with concurrency 4 without waiting a poll interval between batches", async () => {
  const ids = await dueIntegrations(20, 60, new Date(Date.now() - 1_000));
  const ledger = new SyncLedger(() => pause(5));
  const scheduler = schedulerOn(database.db, ledger.instance(0), { concurrency: 4, pollIntervalMs: HOUR_MS });
  try {
    scheduler.start();
    // With an hour between polls, only the first poll may have run: the other 16 were claimed as slots freed.
    await vi.waitFor(() => expect(ledger.runs).toHaveLength(20), { timeout: 30_000, interval: 10 });
    await scheduler.idle();
    expect(scheduler.stats.polls).toBe(1);
    expect(scheduler.stats.refills).toBeGreaterThanOrEqual(4);
    expect(new Set(ledger.runs.map((r) => r.integrationId))).toEqual(new Set(ids));
    expect(ledger.maxRunning).toBe(4);
    expect(ledger.overlaps).toBe(0);
  } finally {
    await scheduler.stop(5_000);
  }
  // Each came back an interval later, not sooner: nothing more ran.
  expect(ledger.runs).toHaveLength(20);
  const rows = await database.db.select().from(integrations).where(inArray(integrations.id, ids));
  expect(rows.every((row) => row.nextSyncAt!.getTime() > Date.now() + 50 * 60_000)).toBe(true);
});

it("keeps a busy instance from running two syncs of one integration, shares the work with a second instance, and stops cleanly", async () => {
  // Virtual time: each finished sync moves the clock a minute, so with a 5-minute interval the
  // integrations fall due again while others still run, and both instances stay busy.
  let offsetMs = 0;
  const clock = () => new Date(Date.now() + offsetMs);
  const ledger = new SyncLedger(async () => {
    await pause(1 + Math.floor(Math.random() * 4));
    offsetMs += 60_000;
  });
  const ids = await dueIntegrations(20, 5, clock());
  // The lease outlasts the whole test's virtual time: a claim never expires, so only the
  // scheduler's own bookkeeping keeps a running integration from being claimed again.
  const options = { concurrency: 4, pollIntervalMs: 20, leaseMs: 24 * HOUR_MS, clock };
  const instances = [schedulerOn(database.db, ledger.instance(0), options), schedulerOn(second?.db ?? database.db, ledger.instance(1), options)];
  instances.forEach((s) => s.start());
  try {
    await vi.waitFor(() => expect(ledger.runs.length).toBeGreaterThanOrEqual(200), { timeout: 60_000, interval: 20 });
  } finally {
    await Promise.all(instances.map((s) => s.stop(5_000)));
  }
  const stoppedAt = ledger.runs.length;
  expect(ledger.running).toBe(0);
  expect(ledger.overlaps).toBe(0);
  expect(ledger.maxRunning).toBeGreaterThan(4);
  expect(ledger.maxRunning).toBeLessThanOrEqual(8);
  for (const instance of [0, 1]) expect(ledger.runs.filter((r) => r.instance === instance).length).toBeGreaterThan(20);
  const perIntegration = ids.map((id) => ledger.runs.filter((r) => r.integrationId === id).length);
  expect(Math.min(...perIntegration)).toBeGreaterThanOrEqual(2);
  // Stopped means stopped: no claim after stop() returned, even with a short poll interval.
  await pause(100);
  expect(ledger.runs).toHaveLength(stoppedAt);
});

it("releases a sync still running when the shutdown grace ends, for another instance to take", async () => {
  const [id] = await dueIntegrations(1, 60, new Date(Date.now() - 1_000));
  let finish = () => {};
  const hung = new Promise<void>((resolve) => (finish = resolve));
  const ledger = new SyncLedger(() => hung);
  const scheduler = schedulerOn(database.db, ledger.instance(0), { concurrency: 1 });
  scheduler.start();
  await vi.waitFor(() => expect(ledger.running).toBe(1), { timeout: 10_000, interval: 10 });
  const [claimed] = await database.db.select().from(integrations).where(inArray(integrations.id, [id!]));
  expect(claimed!.nextSyncAt!.getTime()).toBeGreaterThan(Date.now() + 30_000);

  await scheduler.stop(50);
  const [released] = await database.db.select().from(integrations).where(inArray(integrations.id, [id!]));
  expect(released!.nextSyncAt!.getTime()).toBeLessThanOrEqual(Date.now());
  finish();
  await scheduler.idle();
});

it("waits for the next poll, instead of claiming again at once, when a claim fails", async () => {
  await dueIntegrations(8, 60, new Date(Date.now() - 1_000));
  // The database goes away while the first syncs run: every later claim fails.
  let databaseAway = false;
  const flaky = new Proxy(database.db, {
    get(target, property, receiver) {
      if (databaseAway && property === "update") throw new Error("connection refused");
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
  const ledger = new SyncLedger(async () => {
    databaseAway = true;
    await pause(5);
  });
  const scheduler = schedulerOn(flaky, ledger.instance(0), { concurrency: 4, pollIntervalMs: HOUR_MS });
  scheduler.start();
  await vi.waitFor(() => expect(ledger.runs).toHaveLength(4), { timeout: 10_000, interval: 10 });
  await scheduler.idle();
  await pause(200);
  // The first claim filled every slot, so the first freed slot tried once more; that failure ends the refills.
  expect(scheduler.stats.polls).toBe(1);
  expect(scheduler.stats.refills).toBe(1);
  databaseAway = false;
  await scheduler.stop(1_000);
});
