import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.js";
import { eventLinks, syncRuns, timeEntries } from "../../src/db/schema.js";
import { seedEmbeddedIntegration } from "../helpers/embedded-setup.js";
import { startLatencyProxy } from "../helpers/latency-proxy.js";
import { runEntry, serverEntry } from "../helpers/process.js";
import { describeServer } from "../servers/harness.js";
import { putEvent } from "../servers/seed.js";
import { calendar } from "../sync/helpers.js";

/**
 * SIGKILL in the middle of a sync: nothing is half-written, the run left RUNNING is failed when the
 * server starts again, and the next sync imports everything exactly once.
 */
describeServer("radicale", (ctx) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tt-kill-"));
  let proxy: Awaited<ReturnType<typeof startLatencyProxy>>;
  let token: string;
  let integrationId: string;

  beforeAll(async () => {
    const s = ctx.server();
    for (const n of [1, 2, 3]) {
      await putEvent(s, s.calendarUrl, `k${n}.ics`, calendar([`UID:kill-${n}`, `DTSTART:2025030${n}T090000Z`, `DTEND:2025030${n}T100000Z`, `SUMMARY:K${n}`]));
    }
    proxy = await startLatencyProxy(s.baseUrl, 800);
    ({ token, integrationId } = await seedEmbeddedIntegration(dataDir, {
      calendarUrl: new URL(new URL(s.calendarUrl).pathname, proxy.origin).href,
      username: s.username,
      password: s.password,
    }));
  });
  afterAll(async () => {
    await proxy?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("recovers from SIGKILL mid-sync with no duplicate and no missing entry", async () => {
    const first = runEntry(serverEntry, [], { DATA_DIR: dataDir, PORT: "0", SCHEDULER_POLL_MS: "100" });
    try {
      await proxy.firstRequest;
      first.child.kill("SIGKILL");
      expect(await first.exited).toBeNull();
    } finally {
      first.child.kill("SIGKILL");
    }

    const afterKill = await openDatabase({ kind: "pglite", dataDir });
    try {
      expect((await afterKill.db.select().from(syncRuns)).map((r) => r.status)).toEqual(["RUNNING"]);
      expect(await afterKill.db.$count(timeEntries)).toBe(0);
    } finally {
      await afterKill.close();
    }

    const second = runEntry(serverEntry, [], { DATA_DIR: dataDir, PORT: "0", ROLE: "api" });
    try {
      const [, base] = await second.waitFor(/playground: (http:\/\/\S+)\/graphql/);
      expect(second.output()).toMatch(/marked sync runs interrupted by an earlier stop as failed/);
      const res = await fetch(`${base}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: "mutation($id: UUID!) { syncNow(integrationId: $id) { status entriesCreated } }", variables: { id: integrationId } }),
      });
      expect(await res.json()).toEqual({ data: { syncNow: { status: "SUCCESS", entriesCreated: 3 } } });
      second.child.kill("SIGTERM");
      expect(await second.exited).toBe(0);
    } finally {
      second.child.kill("SIGKILL");
    }

    const database = await openDatabase({ kind: "pglite", dataDir });
    try {
      const runs = (await database.db.select().from(syncRuns)).sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
      expect(runs.map((r) => r.status)).toEqual(["ERROR", "SUCCESS"]);
      expect(runs[0]!.message).toMatch(/Interrupted/);
      const links = await database.db.select().from(eventLinks);
      expect(links.map((l) => l.uid).sort()).toEqual(["kill-1", "kill-2", "kill-3"]);
      expect(await database.db.$count(timeEntries)).toBe(3);
    } finally {
      await database.close();
    }
  });
});
