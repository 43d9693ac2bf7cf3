/**
 * Prometheus metrics, served at GET /metrics. One registry per process (tests make their own).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { RequestInfo } from "./caldav/index.js";
import { syncCacheSize } from "./sync/object-cache.js";
import type { SyncRun } from "./sync/runs.js";

export class Metrics {
  readonly registry = new Registry();
  private readonly runs = new Counter({ name: "caldav_sync_runs_total", help: "Finished sync runs", labelNames: ["status", "trigger"] as const, registers: [this.registry] });
  private readonly duration = new Histogram({
    name: "caldav_sync_duration_seconds",
    help: "Duration of sync runs",
    labelNames: ["trigger"] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 180],
    registers: [this.registry],
  });
  private readonly entries = new Counter({ name: "caldav_sync_entries_total", help: "Time entries written by syncs", labelNames: ["action"] as const, registers: [this.registry] });
  private readonly requests = new Counter({ name: "caldav_http_requests_total", help: "HTTP requests to CalDAV servers", labelNames: ["method", "status"] as const, registers: [this.registry] });
  private readonly connectionFailures = new Counter({
    name: "caldav_http_connection_failures_total",
    help: "Connections to CalDAV servers refused or reset; safe requests are retried with backoff while the retry budget lasts",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });

  /** `countDue` answers how many integrations are due but not started (asked at scrape time). */
  constructor(countDue?: () => Promise<number>) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: "caldav_sync_cache_bytes",
      help: "Estimated bytes held by this process's sync caches (bounded together by SYNC_CACHE_MB)",
      labelNames: ["cache"] as const,
      registers: [this.registry],
      collect() {
        for (const { cache, bytes } of syncCacheSize()) this.set({ cache }, bytes);
      },
    });
    new Gauge({
      name: "caldav_sync_cache_entries",
      help: "Entries in this process's sync caches: expansions of calendar objects, remembered syncs of integrations",
      labelNames: ["cache"] as const,
      registers: [this.registry],
      collect() {
        for (const { cache, entries } of syncCacheSize()) this.set({ cache }, entries);
      },
    });
    if (countDue) {
      new Gauge({
        name: "caldav_sync_backlog",
        help: "Integrations due for a scheduled sync that no instance has started",
        registers: [this.registry],
        async collect() {
          this.set(await countDue());
        },
      });
    }
  }

  recordRun(run: SyncRun): void {
    this.runs.inc({ status: run.status, trigger: run.trigger });
    if (run.durationMs !== null) this.duration.observe({ trigger: run.trigger }, run.durationMs / 1000);
    this.entries.inc({ action: "created" }, run.entriesCreated);
    this.entries.inc({ action: "updated" }, run.entriesUpdated);
    this.entries.inc({ action: "deleted" }, run.entriesDeleted);
  }

  recordRequest(info: RequestInfo): void {
    this.requests.inc({ method: info.method, status: info.status === 0 ? "failed" : String(info.status) });
    if (info.connectionFailure) this.connectionFailures.inc({ reason: info.connectionFailure });
  }
}
