import { it } from "vitest";
import { testDatabaseKind } from "../helpers/database.js";
import { checkHistories, historyFixture } from "./history-runner.js";

/**
 * The model-based history test (issue 13): random histories of server changes, faults, user edits,
 * settings, clock moves and restarts, run against the real engine, the real database and the
 * in-process CalDAV server, with the reference model's invariants checked after every sync.
 *
 *   HISTORY_RUNS=100000        how many histories (default 100: about a minute on CI)
 *   HISTORY_SEED, HISTORY_PATH, HISTORY_REPLAY_PATH
 *                              replay a failure: fast-check prints seed and path, and the shrunk
 *                              history with its replayPath comment. Without HISTORY_SEED a run
 *                              takes a random seed, except on CI (CI=true), which runs the same
 *                              histories every time so that its verdict is the code's, not luck's;
 *                              the sweeps with random seeds are run locally.
 *   HISTORY_MAX_COMMANDS       longest history (default 30)
 */
const RUNS = Number(process.env.HISTORY_RUNS ?? 100);
const MAX_COMMANDS = Number(process.env.HISTORY_MAX_COMMANDS ?? 30);
const WIPE_EVERY = 100;

const fixture = historyFixture();

it(`keeps the timesheet equal to the reference model over ${RUNS} random histories (${testDatabaseKind})`, async () => {
  const stats: Record<string, number> = {};
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const { histories, setupMs } = await checkHistories(fixture, { runs: RUNS, maxCommands: MAX_COMMANDS, stats, wipeEvery: WIPE_EVERY });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(
    `history test (${testDatabaseKind}): ${histories} histories in ${seconds.toFixed(1)} s (${(histories / seconds).toFixed(1)}/s; CPU ${cpuSeconds.toFixed(1)} s, ` +
      `${(histories / cpuSeconds).toFixed(1)}/CPU-s; set-up ${Math.round(setupMs / histories)} ms each); syncs: ${JSON.stringify(stats)}`,
  );
}, 600_000);
