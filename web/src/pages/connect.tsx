import { useClient, useMutation } from "@urql/preact";
import { useState } from "preact/hooks";
import { errorSentence } from "../errors.js";
import type { ResultOf } from "../graphql.js";
import { ConnectionFields, OptionFields, configureInputOf, newSettingsForm, settingsErrorSentence, type SettingsForm } from "../integration-form.js";
import { CalendarChoices, type CalendarChoice } from "../calendar-choices.js";
import { CalendarCheckList } from "../connection-check.js";
import { ConfigureIntegrationMutation, DiscoverCalendarsQuery, TestConnectionMutation } from "../operations.js";
import { Link } from "../router.js";
import { useSession } from "../session.js";
import { SyncNow } from "../sync.js";
import { ErrorMessage, PageTitle, StatusMessage } from "../ui.js";

type TestResult = ResultOf<typeof TestConnectionMutation>["testConnection"];

/**
 * The guided setup: account, "Find my calendars", choices, save and test, first sync. Each step
 * appears when the one before it is done.
 */
export function ConnectPage() {
  const { me } = useSession();
  const client = useClient();
  const [form, setForm] = useState<SettingsForm>(() => newSettingsForm(me.timezone));
  const update = (change: Partial<SettingsForm>) => setForm((current) => ({ ...current, ...change }));
  const [finding, setFinding] = useState(false);
  const [findError, setFindError] = useState<string | null>(null);
  const [choices, setChoices] = useState<CalendarChoice[] | null>(null);
  const [savedId, setSavedId] = useState<string | null>(null);
  const [saveResult, save] = useMutation(ConfigureIntegrationMutation);
  const [testResult, testConnection] = useMutation(TestConnectionMutation);
  const [connectionCheck, setConnectionCheck] = useState<TestResult | null>(null);

  const findCalendars = async (event: Event) => {
    event.preventDefault();
    setFindError(null);
    if (form.directCalendar) {
      setChoices([]);
      return;
    }
    setFinding(true);
    const answer = await client
      .query(DiscoverCalendarsQuery, { input: { serverUrl: form.url.trim(), username: form.username, password: form.password, verifySsl: form.verifySsl } }, { requestPolicy: "network-only" })
      .toPromise();
    setFinding(false);
    if (answer.error) {
      setChoices(null);
      setFindError(errorSentence(answer.error));
      return;
    }
    const found = answer.data?.discoverCalendars ?? [];
    setChoices(found.map((calendar) => ({ ...calendar, selected: calendar.supportsEvents, defaultProjectId: "" })));
  };

  const saveAndTest = async (event: Event) => {
    event.preventDefault();
    setConnectionCheck(null);
    const calendars = form.directCalendar
      ? undefined
      : (choices ?? []).filter((c) => c.supportsEvents).map((c) => ({ url: c.url, selected: c.selected, defaultProjectId: c.defaultProjectId || null }));
    const saved = await save({ input: { ...configureInputOf(form, savedId ?? undefined), calendars } });
    const id = saved.data?.configureCalDAVIntegration.id;
    if (!id) return;
    setSavedId(id);
    const tested = await testConnection({ integrationId: id });
    if (tested.data) setConnectionCheck(tested.data.testConnection);
  };

  const chosen = choices?.filter((c) => c.selected).length ?? 0;
  return (
    <>
      <PageTitle>Connect a calendar</PageTitle>
      <p>Your calendar's events become entries in your timesheet. Nothing is ever written to your calendar.</p>

      <form class="card" onSubmit={findCalendars} aria-labelledby="step-account">
        <h2 id="step-account">1. Your calendar account</h2>
        <ConnectionFields form={form} update={update} editing={false} />
        <ErrorMessage>{findError}</ErrorMessage>
        <button type="submit" disabled={finding}>
          {finding ? "Looking for your calendars…" : form.directCalendar ? "Continue" : "Find my calendars"}
        </button>
      </form>

      {choices && (
        <form class="card" onSubmit={saveAndTest} aria-labelledby="step-choices">
          <h2 id="step-choices">2. What to import</h2>
          {!form.directCalendar && (
            <CalendarChoices
              choices={choices}
              onChange={setChoices}
              legend={choices.length === 0 ? "The server shows no calendars for this account." : "Calendars to import"}
            />
          )}
          <OptionFields form={form} update={update} error={saveResult.error} />
          <ErrorMessage>{settingsErrorSentence(saveResult.error, form)}</ErrorMessage>
          <button type="submit" disabled={saveResult.fetching || testResult.fetching || (!form.directCalendar && chosen === 0)}>
            {saveResult.fetching ? "Saving…" : testResult.fetching ? "Checking the connection…" : savedId ? "Save the changes and check again" : "Save and check the connection"}
          </button>
          {!form.directCalendar && chosen === 0 && <p class="hint">Choose at least one calendar.</p>}
        </form>
      )}

      <div role="status">
        {connectionCheck && (
          <section class="card" aria-labelledby="step-test">
            <h2 id="step-test">3. Connection check</h2>
            <div class={`message ${connectionCheck.success ? "success" : "error"}`}>
              <p>{connectionCheck.success ? "The connection works." : "The connection does not work yet."}</p>
              <p>{connectionCheck.message}</p>
            </div>
            <CalendarCheckList calendars={connectionCheck.calendars} />
            {!connectionCheck.success && <p>Correct the settings above, then save and check again.</p>}
          </section>
        )}
      </div>
      {errorSentence(testResult.error) && <ErrorMessage>{errorSentence(testResult.error)}</ErrorMessage>}

      {connectionCheck?.success && savedId && (
        <section class="card" aria-labelledby="step-sync">
          <h2 id="step-sync">4. First sync</h2>
          <p>Import your events now; afterwards {form.autoSyncIntervalMinutes ? "they sync automatically" : "sync by hand from the Calendars page"}.</p>
          <SyncNow integrationId={savedId} zone={me.timezone} label="Start the first sync" />
          <p>
            <Link href="/timesheet">Open your timesheet</Link> · <Link href={`/calendars/${savedId}`}>See this connection's details</Link>
          </p>
        </section>
      )}
    </>
  );
}
