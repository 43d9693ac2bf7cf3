/** What every measured benchmark child process does: sample peak RSS, and exit with its outcome. */
import { rssOf } from "./servers.js";

/** Samples this process's and the server's (with its children) peak RSS until `stop()`. */
export function sampleRss(serverPid: number | null, everyMs: number): { stop(): { peakRssBytes: number; serverPeakRssBytes: number | null } } {
  let peak = process.memoryUsage.rss();
  let serverPeak: number | null = null;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage.rss());
    const s = rssOf(serverPid, true);
    if (s !== null) serverPeak = Math.max(serverPeak ?? 0, s);
  };
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { peakRssBytes: peak, serverPeakRssBytes: serverPeak };
    },
  };
}

/** Exits 0 once `main` is done, 1 with the error on stderr: the parent reads the RESULT line and the exit code. */
export function runWorker(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
