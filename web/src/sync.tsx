import { useClient } from "@urql/preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { errorSentence } from "./errors.js";
import { formatDateTime, plural } from "./format.js";
import { LastSyncRunQuery, SyncNowMutation, SyncRunQuery, type SyncRunView } from "./operations.js";
import { CheckboxField, Dialog, ErrorMessage } from "./ui.js";

const POLL_INTERVAL_MS = 1000;

export const STATUS_WORDS: Record<SyncRunView["status"], string> = {
  RUNNING: "Running",
  SUCCESS: "Finished",
  PARTIAL: "Finished with problems",
  ERROR: "Failed",
};

const SKIP_REASONS: Record<string, string> = {
  ALL_DAY: "all-day events",
  CANCELLED: "cancelled events",
  DECLINED: "invitations you declined",
  FREE: "events shown as free",
  INVALID_TIME: "events with an impossible time",
  PARSE_ERROR: "events that could not be read",
  TENTATIVE: "invitations you have not accepted",
  NOT_ATTENDING: "events you do not attend",
  DUPLICATE: "duplicates of another event",
};

type Counts = Pick<SyncRunView, "entriesCreated" | "entriesUpdated" | "entriesDeleted" | "entriesUnchanged" | "conflictsKept">;

/** "2 entries created, 1 updated, none deleted, 4 unchanged". */
export function describeCounts(run: Counts): string {
  const parts = [
    `${plural(run.entriesCreated, "entry", "entries")} created`,
    `${run.entriesUpdated} updated`,
    `${run.entriesDeleted} deleted`,
    `${run.entriesUnchanged} unchanged`,
  ];
  if (run.conflictsKept > 0) parts.push(`${plural(run.conflictsKept, "edited entry", "edited entries")} kept as you left them`);
  return parts.join(", ");
}

export function describeSkipped(run: Pick<SyncRunView, "skipped">): string | null {
  if (run.skipped.length === 0) return null;
  return `Skipped: ${run.skipped.map((s) => `${s.count} ${SKIP_REASONS[s.reason] ?? s.reason.toLowerCase().replace(/_/g, " ")}`).join(", ")}.`;
}

/** The mass-delete and empty-calendar guards withheld deletions (docs/sync.md). */
export function withheldDeletions(run: SyncRunView): boolean {
  return run.withheldDeletions > 0;
}

/** A finished run in words: status, counts, skipped, and the server's message. */
export function SyncRunSummary({ run, zone }: { run: SyncRunView; zone: string }) {
  const skipped = describeSkipped(run);
  return (
    <div class="run-summary">
      <p>
        <strong>{STATUS_WORDS[run.status]}</strong> {formatDateTime(run.finishedAt ?? run.startedAt, zone)}: {describeCounts(run)}.
      </p>
      {skipped && <p>{skipped}</p>}
      {run.status !== "SUCCESS" && run.message && <p>{run.message}</p>}
    </div>
  );
}

/** Everything a run reports: for the sync history. */
export function SyncRunDetails({ run }: { run: SyncRunView }) {
  return (
    <div class="run-details">
      <p>
        {run.mode === "FULL" ? "Full" : "Incremental"} sync, {run.trigger === "MANUAL" ? "started by hand" : "scheduled"}
        {run.durationMs != null && `, took ${(run.durationMs / 1000).toFixed(1)} s`}; {plural(run.objectsFetched, "calendar object")} downloaded,{" "}
        {plural(run.occurrencesSeen, "occurrence")} seen, {plural(run.requests, "request")} to the server.
      </p>
      {run.calendars.length > 0 && (
        <table>
          <caption>Per calendar</caption>
          <thead>
            <tr>
              <th scope="col">Calendar</th>
              <th scope="col">Result</th>
              <th scope="col">Entries</th>
            </tr>
          </thead>
          <tbody>
            {run.calendars.map((calendar) => (
              <tr key={calendar.url}>
                <th scope="row">{calendar.name ?? calendar.url}</th>
                <td>
                  {STATUS_WORDS[calendar.status]}
                  {calendar.message && <span class="hint"> {calendar.message}</span>}
                </td>
                <td>{describeCounts(calendar)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {run.errors.length > 0 && (
        <>
          <h4>Events that could not be imported</h4>
          <ul>
            {run.errors.map((error) => (
              <li key={error.href}>
                {error.message} <span class="hint">({error.uid ? `event ${error.uid}` : error.href})</span>
              </li>
            ))}
          </ul>
        </>
      )}
      {run.warnings.length > 0 && (
        <>
          <h4>Warnings</h4>
          <ul>
            {run.warnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * "Sync now": starts a run and shows it live until it ends (syncNow answers after at most 25 s;
 * meanwhile and afterwards the run is polled), then its result in words. A run whose deletions the
 * guards withheld offers the confirmed full sync, behind an explicit confirmation.
 */
export function SyncNow({ integrationId, zone, label = "Sync now", onFinished }: { integrationId: string; zone: string; label?: string; onFinished?: (run: SyncRunView) => void }) {
  const client = useClient();
  const mounted = useRef(true);
  useEffect(() => () => void (mounted.current = false), []);
  const [busy, setBusy] = useState(false);
  const [running, setRunning] = useState<SyncRunView | null>(null);
  const [finished, setFinished] = useState<SyncRunView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [confirmed, setConfirmed] = useState(false);

  const start = async (mode: "INCREMENTAL" | "FULL", confirmDeletions: boolean) => {
    setBusy(true);
    setFinished(null);
    setError(null);
    let answered = false;
    // While syncNow is under way, show the integration's running run as it progresses.
    void (async () => {
      while (!answered && mounted.current) {
        await sleep(POLL_INTERVAL_MS);
        const last = await client.query(LastSyncRunQuery, { id: integrationId }, { requestPolicy: "network-only" }).toPromise();
        const run = last.data?.integration.lastSyncRun;
        if (!answered && mounted.current && run?.status === "RUNNING") setRunning(run);
      }
    })();
    const answer = await client.mutation(SyncNowMutation, { integrationId, mode, confirmDeletions }).toPromise();
    answered = true;
    let run = answer.data?.syncNow;
    while (run?.status === "RUNNING" && mounted.current) {
      setRunning(run);
      await sleep(POLL_INTERVAL_MS);
      const next = await client.query(SyncRunQuery, { id: run.id }, { requestPolicy: "network-only" }).toPromise();
      if (next.error) {
        setError(errorSentence(next.error));
        break;
      }
      run = next.data?.syncRun;
    }
    if (!mounted.current) return;
    setBusy(false);
    setRunning(null);
    if (answer.error) setError(errorSentence(answer.error));
    if (run && run.status !== "RUNNING") {
      setFinished(run);
      onFinished?.(run);
    }
  };

  const confirmFullSync = () => {
    setConfirming(false);
    setConfirmed(false);
    void start("FULL", true);
  };

  return (
    <div class="sync-now">
      <button type="button" onClick={() => void start("INCREMENTAL", false)} disabled={busy}>
        {busy ? "Syncing…" : label}
      </button>
      <div role="status" class="live">
        {busy && (
          <div class="message info">
            {running
              ? `Syncing since ${formatDateTime(running.startedAt, zone)}: ${plural(running.objectsFetched, "calendar object")} downloaded, ${plural(running.occurrencesSeen, "occurrence")} seen so far.`
              : "Syncing: connecting to the calendar server…"}
          </div>
        )}
        {finished && (
          <div class={`message ${finished.status === "SUCCESS" ? "success" : "warning"}`}>
            <SyncRunSummary run={finished} zone={zone} />
          </div>
        )}
      </div>
      <ErrorMessage>{error}</ErrorMessage>
      {finished && withheldDeletions(finished) && (
        <button type="button" class="secondary" onClick={() => setConfirming(true)}>
          Review the withheld deletions…
        </button>
      )}
      <Dialog title="Delete the entries of vanished events?" open={confirming} onClose={() => setConfirming(false)}>
        <p>
          The last sync found fewer events than before and deleted nothing, in case the server only showed an empty or partial calendar. If
          you checked your calendar and those events really are gone, a full sync compares everything and deletes their entries. Entries you
          edited stay.
        </p>
        <CheckboxField label="I checked my calendar: these events were really deleted" checked={confirmed} onChange={(e) => setConfirmed(e.currentTarget.checked)} />
        <div class="actions">
          <button type="button" class="danger" disabled={!confirmed} onClick={confirmFullSync}>
            Run a full sync and delete them
          </button>
          <button type="button" class="secondary" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      </Dialog>
    </div>
  );
}
