import { useClient, useMutation, useQuery } from "@urql/preact";
import { useEffect, useState } from "preact/hooks";
import { CalendarChoices, type CalendarChoice } from "../calendar-choices.js";
import { errorSentence } from "../errors.js";
import { describeCleanup, formatDateTime, plural } from "../format.js";
import type { ResultOf } from "../graphql.js";
import { CalendarCheckList } from "../connection-check.js";
import { ConnectionFields, OptionFields, configureInputOf, settingsErrorSentence, settingsFormOf, type ConfigureInput, type SettingsForm } from "../integration-form.js";
import {
  ConfigureIntegrationMutation,
  DeleteIntegrationMutation,
  IntegrationQuery,
  RestoreImportedEntriesMutation,
  SyncRunsQuery,
  TestConnectionMutation,
  type IntegrationView,
  type SyncRunView,
} from "../operations.js";
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
      <RestoreDeletedEntries integrationId={id} />
      <DeleteIntegration integration={integration} />
    </>
  );
}

type Calendars = ResultOf<typeof IntegrationQuery>["calendars"];

function choicesOf(calendars: Calendars): CalendarChoice[] {
  return calendars.map((c) => ({
    url: c.url,
    displayName: c.displayName,
    color: c.color,
    supportsEvents: c.supportsEvents,
    selected: c.selected,
    autoSelected: c.autoSelected,
    defaultProjectId: c.defaultProjectId ?? "",
  }));
}

type TestResult = ResultOf<typeof TestConnectionMutation>["testConnection"];
type DroppedCalendarEntries = NonNullable<ConfigureInput["droppedCalendarEntries"]>;

function Settings({ integration, calendars, onSaved }: { integration: IntegrationView; calendars: Calendars; onSaved: () => void }) {
  const client = useClient();
  const [form, setForm] = useState<SettingsForm>(() => settingsFormOf(integration));
  const [choices, setChoices] = useState<CalendarChoice[]>(() => choicesOf(calendars));
  useEffect(() => setChoices(choicesOf(calendars)), [calendars]);
  const [dropped, setDropped] = useState<DroppedCalendarEntries>("KEEP");
  const [saved, setSaved] = useState<string | null>(null);
  const [check, setCheck] = useState<TestResult | null>(null);
  const [save, runSave] = useMutation(ConfigureIntegrationMutation);
  const update = (change: Partial<SettingsForm>) => setForm((current) => ({ ...current, ...change }));
  const previousUrl = integration.calendarUrl ?? integration.serverUrl ?? "";
  const urlChanged = form.url.trim() !== previousUrl || form.directCalendar !== (integration.calendarUrl != null);
  const unselected = choices.filter((choice) => !choice.selected && calendars.some((c) => c.url === choice.url && c.selected));
  const dropsCalendars = urlChanged || unselected.length > 0;
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    setSaved(null);
    setCheck(null);
    const answer = await runSave({
      input: {
        ...configureInputOf(form, integration.id),
        calendars: urlChanged ? undefined : choices.filter((c) => c.supportsEvents).map((c) => ({ url: c.url, selected: c.selected, defaultProjectId: c.defaultProjectId || null })),
        droppedCalendarEntries: dropsCalendars ? dropped : undefined,
      },
    });
    if (!answer.data) return;
    const cleanup = answer.data.configureCalDAVIntegration.lastCleanup;
    const test = await client.mutation(TestConnectionMutation, { integrationId: integration.id }).toPromise();
    setSaved(["Saved.", dropsCalendars && cleanup ? `Calendars no longer synced: ${describeCleanup(cleanup)}` : "", test.data?.testConnection.message ?? ""].filter(Boolean).join(" "));
    setCheck(test.data?.testConnection ?? null);
    setDropped("KEEP");
    onSaved();
  };
  return (
    <form class="card" onSubmit={onSubmit} aria-labelledby="settings">
      <h2 id="settings">Settings</h2>
      <ConnectionFields form={form} update={update} editing />
      {urlChanged && (
        <p class="message warning" role="status">
          {form.directCalendar
            ? "You are changing the calendar's address. The new address becomes the calendar that is synced, and the old one stops syncing. Going back to an address used before picks its entries up where they were."
            : "You are changing the server address. Selected calendars on another server (scheme, host or port) than the new address stop syncing; those on the same server stay selected with their entries. The check after saving finds the calendars at the new address: choose them then."}{" "}
          The same calendar reached under another host name cannot be recognised: to have it imported only once, remove the entries below.
        </p>
      )}
      {!urlChanged && choices.length > 0 && <CalendarChoices choices={choices} onChange={setChoices} legend="Calendars to import" />}
      {dropsCalendars && <DroppedEntriesChoice value={dropped} onChange={setDropped} />}
      <OptionFields form={form} update={update} ownAddresses={integration.ownAddresses} error={save.error} />
      <ErrorMessage>{settingsErrorSentence(save.error, form)}</ErrorMessage>
      <div role="status">
        {saved && <p class="message success">{saved}</p>}
        {check && <CalendarCheckList calendars={check.calendars} />}
      </div>
      <button type="submit" disabled={save.fetching}>
        {save.fetching ? "Saving…" : "Save the settings"}
      </button>
    </form>
  );
}

/** What happens to the entries of the calendars a change stops syncing (docs/servers.md, "Changing an integration"). */
function DroppedEntriesChoice({ value, onChange }: { value: DroppedCalendarEntries; onChange: (value: DroppedCalendarEntries) => void }) {
  return (
    <fieldset>
      <legend>Entries of the calendars that stop syncing</legend>
      <div class="field checkbox">
        <input type="radio" id="dropped-keep" name="dropped" checked={value === "KEEP"} onChange={() => onChange("KEEP")} aria-describedby="dropped-keep-hint" />
        <label for="dropped-keep">Keep their entries</label>
        <p class="hint" id="dropped-keep-hint">
          They stay in your timesheet, and follow their events again if you choose the calendar again.
        </p>
      </div>
      <div class="field checkbox">
        <input type="radio" id="dropped-remove" name="dropped" checked={value === "REMOVE_UNEDITED"} onChange={() => onChange("REMOVE_UNEDITED")} aria-describedby="dropped-remove-hint" />
        <label for="dropped-remove">Remove the entries I did not change</label>
        <p class="hint" id="dropped-remove-hint">
          Entries you changed stay, no longer following their events. Choosing the calendar again later imports its events afresh.
        </p>
      </div>
    </fieldset>
  );
}

/** "Bring back deleted entries": deleted imported entries are not imported again until this. */
function RestoreDeletedEntries({ integrationId }: { integrationId: string }) {
  const [result, restore] = useMutation(RestoreImportedEntriesMutation);
  const count = result.data?.restoreImportedEntries;
  return (
    <section class="card" aria-labelledby="restore">
      <h2 id="restore">Deleted entries</h2>
      <p>Entries of these calendars that you deleted from your timesheet are not imported again.</p>
      <button type="button" class="secondary" disabled={result.fetching} onClick={() => void restore({ integrationId })}>
        Bring back deleted entries
      </button>
      <ErrorMessage>{errorSentence(result.error)}</ErrorMessage>
      <div role="status">
        {count !== undefined && (
          <p class="message success">
            {count === 0 ? "You had deleted none of its entries." : `${plural(count, "deleted entry", "deleted entries")} will come back at the next sync.`}
          </p>
        )}
      </div>
    </section>
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
