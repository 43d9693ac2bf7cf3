/**
 * A closed-loop HTTP load generator on undici's Pool: `clients` concurrent loops, each sending the
 * next request as soon as its previous answer is read. Warm-up first, then a timed window; only
 * requests that start inside the window are counted.
 */
import { Pool } from "undici";

export interface LoadResult {
  clients: number;
  durationS: number;
  requests: number;
  errors: number;
  throughputRps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export async function runLoad(options: { url: string; path: string; headers: Record<string, string>; body: string; clients: number; warmupS: number; durationS: number }): Promise<LoadResult> {
  const origin = new URL(options.url).origin;
  if (!/^http:\/\/(127\.\d+\.\d+\.\d+|\[::1\]|localhost)(:\d+)?$/.test(origin)) throw new Error(`load generator refuses non-loopback ${origin}`);
  const pool = new Pool(origin, { connections: options.clients, pipelining: 1 });
  const latencies: number[] = [];
  let errors = 0;
  let measuring = false;
  let stopped = false;
  const one = async () => {
    const started = performance.now();
    try {
      const res = await pool.request({ method: "POST", path: options.path, headers: { "content-type": "application/json", ...options.headers }, body: options.body });
      const text = await res.body.text();
      if (res.statusCode !== 200 || text.includes('"errors"')) throw new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
      if (measuring) latencies.push(performance.now() - started);
    } catch (error) {
      if (measuring) errors++;
      if (errors === 1 && measuring) console.error(String(error));
    }
  };
  const loops = Array.from({ length: options.clients }, async () => {
    while (!stopped) await one();
  });
  await new Promise((r) => setTimeout(r, options.warmupS * 1000));
  measuring = true;
  const started = performance.now();
  await new Promise((r) => setTimeout(r, options.durationS * 1000));
  measuring = false;
  const elapsed = (performance.now() - started) / 1000;
  stopped = true;
  await Promise.all(loops);
  await pool.close();
  latencies.sort((a, b) => a - b);
  return {
    clients: options.clients,
    durationS: elapsed,
    requests: latencies.length,
    errors,
    throughputRps: latencies.length / elapsed,
    p50Ms: percentile(latencies, 50),
    p90Ms: percentile(latencies, 90),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.at(-1) ?? NaN,
  };
}
