import { useClient, useMutation, useQuery } from "@urql/preact";
import { useEffect, useState } from "preact/hooks";
import { CalendarChoices, type CalendarChoice } from "../calendar-choices.js";
import { errorSentence } from "../errors.js";
import { describeCleanup, formatDateTime } from "../format.js";
import type { ResultOf } from "../graphql.js";
import { ConnectionFields, OptionFields, configureInputOf, settingsFormOf, type SettingsForm } from "../integration-form.js";
import { ConfigureIntegrationMutation, DeleteIntegrationMutation, IntegrationQuery, SyncRunsQuery, TestConnectionMutation, type IntegrationView, type SyncRunView } from "../operations.js";
import { navigate } from "../router.js";
import { useSession } from "../session.js";
import { STATUS_WORDS, SyncNow, SyncRunDetails, describeCounts, describeSkipped } from "../sync.js";
import { Dialog, ErrorMessage, PageTitle } from "../ui.js";
import { IntegrationState } from "./calendars.js";

const HISTORY_PAGE_SIZE = 10;

/** One calendar connection: its settings, calendars, sync history; delete. */
export function IntegrationPage({ id }: { id: string }) {
  const { me } = useSession();
  const [result, refresh] = useQuery({ query: IntegrationQuery, variables: { id } });
  const reload = () => refresh({ requestPolicy: "network-only" });
  const integration = result.data?.integration;
  if (!integration) {
    return (
      <>
        <PageTitle>Calendar connection</PageTitle>
        <ErrorMessage>{errorSentence(result.error)}</ErrorMessage>
        {result.fetching && <p aria-busy="true">Loading…</p>}
      </>
    );
  }
  return (
    <>
      <PageTitle>{integration.name}</PageTitle>
      <section class="card" aria-labelledby="state">
        <h2 id="state">State</h2>
        {integration.status === "NEEDS_ATTENTION" && (
          <p class="message warning">
            <strong>Automatic syncs are paused.</strong> {integration.attention}
          </p>
        )}
        <IntegrationState integration={integration} zone={me.timezone} />
        <SyncNow integrationId={id} zone={me.timezone} onFinished={reload} />
      </section>
      <Settings integration={integration} calendars={result.data?.calendars ?? []} onSaved={reload} />
      <History integrationId={id} zone={me.timezone} />
      <DeleteIntegration integration={integration} />
    </>
  );
}

type Calendars = ResultOf<typeof IntegrationQuery>["calendars"];

function choicesOf(calendars: Calendars): CalendarChoice[] {
  return calendars.map((c) => ({ url: c.url, displayName: c.displayName, color: c.color, supportsEvents: c.supportsEvents, selected: c.selected, defaultProjectId: c.defaultProjectId ?? "" }));
}

function Settings({ integration, calendars, onSaved }: { integration: IntegrationView; calendars: Calendars; onSaved: () => void }) {
  const client = useClient();
  const [form, setForm] = useState<SettingsForm>(() => settingsFormOf(integration));
  const [choices, setChoices] = useState<CalendarChoice[]>(() => choicesOf(calendars));
  useEffect(() => setChoices(choicesOf(calendars)), [calendars]);
  const [saved, setSaved] = useState<string | null>(null);
  const [save, runSave] = useMutation(ConfigureIntegrationMutation);
  const update = (change: Partial<SettingsForm>) => setForm((current) => ({ ...current, ...change }));
  const previousUrl = integration.calendarUrl ?? integration.serverUrl ?? "";
  const urlChanged = form.url.trim() !== previousUrl || form.directCalendar !== (integration.calendarUrl != null);
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    setSaved(null);
    const answer = await runSave({
      input: {
        ...configureInputOf(form, integration.id),
        calendars: urlChanged ? undefined : choices.filter((c) => c.supportsEvents).map((c) => ({ url: c.url, selected: c.selected, defaultProjectId: c.defaultProjectId || null })),
      },
    });
    if (answer.error) return;
    const test = await client.mutation(TestConnectionMutation, { integrationId: integration.id }).toPromise();
    setSaved(test.data ? `Saved. ${test.data.testConnection.message}` : "Saved.");
    onSaved();
  };
  return (
    <form class="card" onSubmit={onSubmit} aria-labelledby="settings">
      <h2 id="settings">Settings</h2>
      <ConnectionFields form={form} update={update} editing />
      {urlChanged && (
        <p class="message warning" role="status">
          You are changing the server address. Calendars of the old address that the new one does not have stop syncing; the entries imported from
          them stay in your timesheet. Check the calendar list after saving.
        </p>
      )}
      {!urlChanged && choices.length > 0 && <CalendarChoices choices={choices} onChange={setChoices} legend="Calendars to import" />}
      <OptionFields form={form} update={update} />
      <ErrorMessage>{errorSentence(save.error)}</ErrorMessage>
      <div role="status">{saved && <p class="message success">{saved}</p>}</div>
      <button type="submit" disabled={save.fetching}>
        {save.fetching ? "Saving…" : "Save the settings"}
      </button>
    </form>
  );
}

function History({ integrationId, zone }: { integrationId: string; zone: string }) {
  const client = useClient();
  const [runs, setRuns] = useState<SyncRunView[]>([]);
  const [next, setNext] = useState<string | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const load = async (after: string | null) => {
    const page = await client.query(SyncRunsQuery, { integrationId, first: HISTORY_PAGE_SIZE, after }, { requestPolicy: "network-only" }).toPromise();
    if (!page.data) return setError(errorSentence(page.error));
    const nodes = page.data.syncRuns.edges.map((edge) => edge.node);
    setRuns((current) => (after ? [...current, ...nodes] : nodes));
    setNext(page.data.syncRuns.pageInfo.hasNextPage ? (page.data.syncRuns.pageInfo.endCursor ?? null) : null);
  };
  useEffect(() => void load(null), [integrationId]);
  return (
    <section class="card" aria-labelledby="history">
      <h2 id="history">Sync history</h2>
      <button type="button" class="secondary small" onClick={() => void load(null)}>
        Refresh the history
      </button>
      <ErrorMessage>{error}</ErrorMessage>
      {next !== undefined && runs.length === 0 && <p>No syncs yet.</p>}
      <ol class="history">
        {runs.map((run) => (
          <li key={run.id}>
            <details>
              <summary>
                <strong>{STATUS_WORDS[run.status]}</strong> {formatDateTime(run.startedAt, zone)} — {describeCounts(run)}
              </summary>
              {describeSkipped(run) && <p>{describeSkipped(run)}</p>}
              {run.message && <p>{run.message}</p>}
              <SyncRunDetails run={run} />
            </details>
          </li>
        ))}
      </ol>
      {next && (
        <button type="button" class="secondary" onClick={() => void load(next)}>
          Show older syncs
        </button>
      )}
    </section>
  );
}

/** Delete, with the choice of keeping or removing the entries it imported (edited ones always stay). */
function DeleteIntegration({ integration }: { integration: IntegrationView }) {
  const [open, setOpen] = useState(false);
  const [removeEntries, setRemoveEntries] = useState(false);
  const [result, runDelete] = useMutation(DeleteIntegrationMutation);
  const remove = async () => {
    const answer = await runDelete({ id: integration.id, deleteEntries: removeEntries });
    if (!answer.data) return;
    setOpen(false);
    navigate("/calendars", { notice: `${integration.name} was deleted. ${describeCleanup(answer.data.deleteIntegration)}` });
  };
  return (
    <section class="card" aria-labelledby="delete">
      <h2 id="delete">Delete this connection</h2>
      <p>Stops importing from these calendars. Your calendars themselves are not touched.</p>
      <button type="button" class="danger" onClick={() => setOpen(true)}>
        Delete this connection…
      </button>
      <Dialog title={`Delete ${integration.name}?`} open={open} onClose={() => setOpen(false)}>
        <fieldset>
          <legend>The entries it imported</legend>
          <div class="field checkbox">
            <input type="radio" id="keep-entries" name="entries" checked={!removeEntries} onChange={() => setRemoveEntries(false)} />
            <label for="keep-entries">Keep them in my timesheet</label>
          </div>
          <div class="field checkbox">
            <input type="radio" id="remove-entries" name="entries" checked={removeEntries} onChange={() => setRemoveEntries(true)} aria-describedby="remove-entries-hint" />
            <label for="remove-entries">Remove them too</label>
            <p class="hint" id="remove-entries-hint">
              Entries you changed stay in your timesheet either way.
            </p>
          </div>
        </fieldset>
        <ErrorMessage>{errorSentence(result.error)}</ErrorMessage>
        <div class="actions">
          <button type="button" class="danger" onClick={() => void remove()} disabled={result.fetching}>
            Delete the connection
          </button>
          <button type="button" class="secondary" onClick={() => setOpen(false)}>
            Cancel
          </button>
        </div>
      </Dialog>
    </section>
  );
}
