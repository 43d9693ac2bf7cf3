import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.js";
import { syncRuns, timeEntries } from "../../src/db/schema.js";
import { seedEmbeddedIntegration } from "../helpers/embedded-setup.js";
import { startLatencyProxy } from "../helpers/latency-proxy.js";
import { runEntry, serverEntry } from "../helpers/process.js";
import { describeServer } from "../servers/harness.js";
import { putEvent } from "../servers/seed.js";
import { calendar } from "../sync/helpers.js";

/**
 * The real server process syncs on schedule, serves metrics, and on SIGTERM stops claiming, lets
 * the running sync finish, and exits cleanly. The CalDAV server answers slowly (a latency proxy in
 * front of Radicale), so the sync is surely running when the signal arrives.
 */
describeServer("radicale", (ctx) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tt-scheduler-"));
  let proxy: Awaited<ReturnType<typeof startLatencyProxy>>;

  beforeAll(async () => {
    const s = ctx.server();
    await putEvent(s, s.calendarUrl, "a.ics", calendar(["UID:proc-a", "DTSTART:20250305T090000Z", "DTEND:20250305T100000Z", "SUMMARY:A"]));
    await putEvent(s, s.calendarUrl, "b.ics", calendar(["UID:proc-b", "DTSTART:20250306T090000Z", "DTEND:20250306T100000Z", "SUMMARY:B"]));
    proxy = await startLatencyProxy(s.baseUrl, 1_000);
    await seedEmbeddedIntegration(dataDir, { calendarUrl: new URL(new URL(s.calendarUrl).pathname, proxy.origin).href, username: s.username, password: s.password });
  });
  afterAll(async () => {
    await proxy?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("finishes the running scheduled sync on SIGTERM, then exits", async () => {
    const metricsToken = "m".repeat(32);
    const server = runEntry(serverEntry, [], { DATA_DIR: dataDir, PORT: "0", SCHEDULER_POLL_MS: "100", SHUTDOWN_GRACE_MS: "30000", METRICS_TOKEN: metricsToken });
    try {
      const [, base] = await server.waitFor(/playground: (http:\/\/\S+)\/graphql/);
      await server.waitFor(/scheduler started/);
      const metrics = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })).text();
      expect(metrics).toMatch(/^caldav_sync_backlog \d+$/m);
      // The sync's first request is being answered (1 s late) and more follow: it is under way.
      await proxy.firstRequest;
      expect(server.output()).not.toMatch(/sync finished/);
      server.child.kill("SIGTERM");
      expect(await server.exited).toBe(0);
    } finally {
      server.child.kill("SIGKILL");
    }
    const output = server.output();
    expect(output.indexOf("sync finished")).toBeGreaterThan(-1);
    expect(output.indexOf("sync finished")).toBeLessThan(output.indexOf('"msg":"stopped"'));

    const database = await openDatabase({ kind: "pglite", dataDir });
    try {
      const runs = await database.db.select().from(syncRuns);
      expect(runs.map((r) => [r.status, r.trigger])).toEqual([["SUCCESS", "SCHEDULED"]]);
      expect(await database.db.$count(timeEntries)).toBe(2);
    } finally {
      await database.close();
    }
  });

  it("runs as a worker without the GraphQL API", async () => {
    const worker = runEntry(serverEntry, [], { DATA_DIR: dataDir, PORT: "0", ROLE: "worker", METRICS_PORT: "0" });
    const [, base] = await worker.waitFor(/health: (http:\/\/\S+)\/healthz/);
    const [, metricsUrl] = await worker.waitFor(/Metrics: (http:\/\/127\.0\.0\.1:\d+\/metrics) \(this machine only\)/);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/graphql`, { method: "POST" })).status).toBe(404);
    expect(await (await fetch(metricsUrl!)).text()).toMatch(/caldav_sync_runs_total/);
    expect((await fetch(`${base}/metrics`)).status).toBe(404); // no METRICS_TOKEN: not on the worker's port
    worker.child.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
  });
});
