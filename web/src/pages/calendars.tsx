import { useMutation, useQuery } from "@urql/preact";
import { errorSentence } from "../errors.js";
import { formatDateTime, formatRelative } from "../format.js";
import { IntegrationsQuery, ResumeIntegrationMutation, type IntegrationView, type SyncRunView } from "../operations.js";
import { Link, pageNotice } from "../router.js";
import { useSession } from "../session.js";
import { SyncNow, SyncRunSummary } from "../sync.js";
import { ErrorMessage, PageTitle, StatusMessage } from "../ui.js";

/** The user's calendar connections, their state, and "Sync now". */
export function CalendarsPage() {
  const { me } = useSession();
  const [integrations, refresh] = useQuery({ query: IntegrationsQuery });
  const list = integrations.data?.integrations ?? [];
  const notice = pageNotice();
  return (
    <>
      <PageTitle>Calendars</PageTitle>
      {notice && <StatusMessage tone="success">{notice}</StatusMessage>}
      <p class="page-actions">
        <Link href="/calendars/new" class="button">
          Connect a calendar
        </Link>
      </p>
      <ErrorMessage>{errorSentence(integrations.error)}</ErrorMessage>
      {integrations.data && list.length === 0 && (
        <p>No calendar is connected yet. Connect one and its events become entries in your timesheet.</p>
      )}
      {list.map((integration) => (
        <IntegrationCard key={integration.id} integration={integration} zone={me.timezone} onChanged={() => refresh({ requestPolicy: "network-only" })} />
      ))}
    </>
  );
}

function IntegrationCard({ integration, zone, onChanged }: { integration: IntegrationView & { lastSyncRun: SyncRunView | null }; zone: string; onChanged: () => void }) {
  const [resume, runResume] = useMutation(ResumeIntegrationMutation);
  const headingId = `integration-${integration.id}`;
  return (
    <section class="card" aria-labelledby={headingId}>
      <h2 id={headingId}>
        <Link href={`/calendars/${integration.id}`}>{integration.name}</Link>
      </h2>
      <p class="hint">
        {integration.username} at {integration.calendarUrl ?? integration.serverUrl}
      </p>
      {integration.status === "NEEDS_ATTENTION" && (
        <div class="message warning">
          <p>
            <strong>Automatic syncs are paused.</strong> {integration.attention}
          </p>
          <button type="button" onClick={() => void runResume({ id: integration.id }).then(onChanged)} disabled={resume.fetching}>
            Resume automatic syncs
          </button>
          <ErrorMessage>{errorSentence(resume.error)}</ErrorMessage>
        </div>
      )}
      <IntegrationState integration={integration} zone={zone} />
      <SyncNow integrationId={integration.id} zone={zone} onFinished={onChanged} />
    </section>
  );
}

/** Last sync, next scheduled sync. */
export function IntegrationState({ integration, zone }: { integration: IntegrationView & { lastSyncRun: SyncRunView | null }; zone: string }) {
  const run = integration.lastSyncRun;
  return (
    <div class="state">
      {run && run.status !== "RUNNING" ? (
        <>
          <h3 class="small">Last sync</h3>
          <SyncRunSummary run={run} zone={zone} />
        </>
      ) : run ? (
        <p>A sync is running since {formatDateTime(run.startedAt, zone)}.</p>
      ) : (
        <p>Not synced yet.</p>
      )}
      <p>
        {integration.autoSyncIntervalMinutes == null
          ? "Automatic sync is off: sync by hand."
          : integration.nextSyncAt
            ? `Next automatic sync ${formatRelative(integration.nextSyncAt)} (${formatDateTime(integration.nextSyncAt, zone)}), every ${integration.autoSyncIntervalMinutes} minutes.`
            : `Syncs automatically every ${integration.autoSyncIntervalMinutes} minutes.`}
      </p>
    </div>
  );
}
