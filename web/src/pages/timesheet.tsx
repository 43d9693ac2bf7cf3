import { useClient } from "@urql/preact";
import { DateTime } from "luxon";
import { memo } from "preact/compat";
import { useCallback, useEffect, useMemo, useState } from "preact/hooks";
import { errorSentence } from "../errors.js";
import { dayKey, formatDay, formatDuration, formatTime, fromLocalInput, toLocalInput } from "../format.js";
import type { ResultOf } from "../graphql.js";
import { ProjectSelect } from "../integration-form.js";
import {
  CalendarNamesQuery,
  CreateTimeEntryMutation,
  DeleteTimeEntryMutation,
  IntegrationNamesQuery,
  ResetTimeEntryMutation,
  UpdateTimeEntryMutation,
  WeekEntriesQuery,
  WeekTotalsQuery,
  type TimeEntryView,
} from "../operations.js";
import { Link, useLocation } from "../router.js";
import { useSession } from "../session.js";
import { Dialog, ErrorMessage, PageTitle, TextField } from "../ui.js";

/** Entries per request: a week of 500 in three requests, each well under the API's complexity limit. */
const PAGE_SIZE = 200;

type Totals = ResultOf<typeof WeekTotalsQuery>;

interface WeekData {
  entries: TimeEntryView[];
  totals: Totals | null;
  /** Calendar URL → "Calendar name (integration name)". */
  calendarNames: Map<string, string>;
}

/** The Monday that starts the week of `?week=` (any day of it), or of today, in the user's zone. */
function weekStartOf(param: string | null, zone: string): DateTime {
  const day = param ? DateTime.fromISO(param, { zone }) : DateTime.now().setZone(zone);
  return (day.isValid ? day : DateTime.now().setZone(zone)).startOf("week");
}

function useWeekData(from: string, to: string) {
  const client = useClient();
  const [data, setData] = useState<WeekData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let current = true;
    (async () => {
      const options = { requestPolicy: "network-only" } as const;
      const entries: TimeEntryView[] = [];
      let after = null as string | null;
      for (;;) {
        const page = await client.query(WeekEntriesQuery, { from, to, first: PAGE_SIZE, after }, options).toPromise();
        if (!page.data) return page.error;
        entries.push(...page.data.timeEntries.edges.map((edge) => edge.node));
        if (!page.data.timeEntries.pageInfo.hasNextPage) break;
        after = page.data.timeEntries.pageInfo.endCursor ?? null;
      }
      const [totals, integrations] = await Promise.all([client.query(WeekTotalsQuery, { from, to }, options).toPromise(), client.query(IntegrationNamesQuery, {}).toPromise()]);
      const calendarNames = new Map<string, string>();
      await Promise.all(
        (integrations.data?.integrations ?? []).map(async (integration) => {
          const calendars = await client.query(CalendarNamesQuery, { integrationId: integration.id }).toPromise();
          for (const calendar of calendars.data?.calendars ?? []) calendarNames.set(calendar.url, `${calendar.displayName ?? calendar.url} (${integration.name})`);
        }),
      );
      entries.sort((a, b) => a.startTime.localeCompare(b.startTime));
      if (current) {
        setData({ entries, totals: totals.data ?? null, calendarNames });
        setError(errorSentence(totals.error));
      }
      return null;
    })().then((failure) => {
      if (current && failure) setError(errorSentence(failure));
    });
    return () => void (current = false);
  }, [client, from, to, version]);
  const reload = useCallback(() => setVersion((n) => n + 1), []);
  return { data, error, reload };
}

/** A week of entries in the user's zone, with day, week and project totals. */
export function TimesheetPage() {
  const { me } = useSession();
  const zone = me.timezone;
  const location = useLocation();
  const monday = weekStartOf(location.searchParams.get("week"), zone);
  const from = monday.toUTC().toISO() ?? "";
  const to = monday.plus({ weeks: 1 }).toUTC().toISO() ?? "";
  const { data, error, reload } = useWeekData(from, to);
  const days = useMemo(() => Array.from({ length: 7 }, (_, i) => monday.plus({ days: i })), [from]);
  const byDay = useMemo(() => {
    const grouped = new Map<string, TimeEntryView[]>();
    for (const entry of data?.entries ?? []) {
      const day = dayKey(entry.startTime, zone);
      const entries = grouped.get(day);
      if (entries) entries.push(entry);
      else grouped.set(day, [entry]);
    }
    return grouped;
  }, [data, zone]);
  const dayTotals = new Map((data?.totals?.byDay.groups ?? []).map((group) => [group.period ?? "", group.durationSeconds]));
  const weekLabel = `${monday.toLocaleString({ day: "numeric", month: "long" })} – ${monday.plus({ days: 6 }).toLocaleString({ day: "numeric", month: "long", year: "numeric" })}`;
  const isThisWeek = monday.hasSame(DateTime.now().setZone(zone), "week");
  return (
    <>
      <PageTitle>Timesheet</PageTitle>
      <nav class="week-nav" aria-label="Weeks">
        <Link href={`/timesheet?week=${monday.minus({ weeks: 1 }).toISODate()}`} class="button secondary">
          Previous week
        </Link>
        <h2 class="week-label" aria-live="polite">
          Week of {weekLabel}
        </h2>
        {!isThisWeek && (
          <Link href="/timesheet" class="button secondary">
            This week
          </Link>
        )}
        <Link href={`/timesheet?week=${monday.plus({ weeks: 1 }).toISODate()}`} class="button secondary">
          Next week
        </Link>
      </nav>
      <p class="hint">Times in {zone.replace(/_/g, " ")}.</p>
      <ErrorMessage>{error}</ErrorMessage>
      {!data && !error && <p aria-busy="true">Loading the week…</p>}
      {data && (
        <div class="timesheet">
          <section class="card totals" aria-labelledby="week-totals">
            <h2 id="week-totals">Week total: {formatDuration(data.totals?.byDay.durationSeconds ?? 0)}</h2>
            <p class="hint">{data.entries.length === 1 ? "1 entry" : `${data.entries.length} entries`}</p>
            {(data.totals?.byProject.groups.length ?? 0) > 0 && (
              <table>
                <caption>Per project</caption>
                <tbody>
                  {data.totals?.byProject.groups.map((group) => (
                    <tr key={group.projectId ?? "none"}>
                      <th scope="row">{group.project?.name ?? "No project"}</th>
                      <td>{formatDuration(group.durationSeconds)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <AddEntry monday={monday} zone={zone} onAdded={reload} />
          </section>
          <div class="days">
            {days.map((day) => {
              const key = day.toISODate() ?? "";
              const entries = byDay.get(key) ?? [];
              return (
                <section key={key} class="day" aria-labelledby={`day-${key}`}>
                  <h2 id={`day-${key}`}>
                    {formatDay(day)} <span class="day-total">{formatDuration(dayTotals.get(key) ?? 0)}</span>
                  </h2>
                  {entries.length === 0 ? (
                    <p class="hint">No entries.</p>
                  ) : (
                    <ul class="entries">
                      {entries.map((entry) => (
                        <EntryRow key={entry.id} entry={entry} zone={zone} calendarName={entry.externalEvent ? data.calendarNames.get(entry.externalEvent.calendarUrl) : undefined} onChanged={reload} />
                      ))}
                    </ul>
                  )}
                </section>
              );
            })}
          </div>
        </div>
      )}
    </>
  );
}

const MATCHED_BY: Record<string, string> = {
  TITLE: "project named in the event's title",
  CATEGORY: "project from the event's category",
  DEFAULT: "the calendar's default project",
  NONE: "no project matched",
};

const EDITED_FIELD: Record<TimeEntryView["editedFields"][number], string> = {
  PROJECT: "project",
  NOTES: "notes",
  TIMES: "times",
};

/** "you changed its project and times". */
function describeEdits(fields: TimeEntryView["editedFields"]): string {
  const words = fields.map((field) => EDITED_FIELD[field]);
  const list = words.length > 1 ? `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}` : words[0];
  return `you changed its ${list}`;
}

interface EntryRowProps {
  entry: TimeEntryView;
  zone: string;
  calendarName: string | undefined;
  onChanged: () => void;
}

/** One entry: what it is, where it came from, and its edit and delete controls. */
const EntryRow = memo(function EntryRow({ entry, zone, calendarName, onChanged }: EntryRowProps) {
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [resetError, setResetError] = useState<string | null>(null);
  const client = useClient();
  const edited = entry.editedFields.length > 0;
  const range = `${formatTime(entry.startTime, zone)}–${formatTime(entry.endTime, zone)}`;
  const what = `${range} ${entry.notes || entry.project?.name || ""}`.trim();
  // Back to the event's times, notes and project; it follows the calendar again (resetTimeEntry).
  const reset = async () => {
    const answer = await client.mutation(ResetTimeEntryMutation, { id: entry.id }).toPromise();
    setResetError(errorSentence(answer.error));
    if (answer.data) onChanged();
  };
  return (
    <li class="entry">
      <div class="entry-main">
        <span class="entry-time">{range}</span>
        <span class="entry-duration">{formatDuration(entry.durationSeconds)}</span>
        <span class="entry-project">{entry.project?.name ?? "No project"}</span>
        {entry.notes && <span class="entry-notes">{entry.notes}</span>}
      </div>
      <p class="entry-meta">
        {entry.source === "AUTO" ? `From ${calendarName ?? "a calendar"}` : "Added by hand"}
        {entry.matchedBy && ` · ${MATCHED_BY[entry.matchedBy]}`}
        {edited && (
          <span class="badge">
            {" "}
            · {describeEdits(entry.editedFields)}
            {entry.externalEvent?.detached ? "; its event is gone from the calendar" : ""}
          </span>
        )}
      </p>
      <div class="entry-actions">
        <button type="button" class="secondary small" aria-expanded={editing} onClick={() => setEditing(!editing)} aria-label={`Edit ${what}`}>
          Edit
        </button>
        <button type="button" class="secondary small" onClick={() => setDeleting(true)} aria-label={`Delete ${what}`}>
          Delete
        </button>
        {entry.source === "AUTO" && edited && (
          <button type="button" class="secondary small" onClick={() => void reset()} aria-label={`Reset ${what} to the calendar's version`}>
            Reset to the calendar's version
          </button>
        )}
      </div>
      <ErrorMessage>{resetError}</ErrorMessage>
      {editing && (
        <EntryForm
          entry={entry}
          zone={zone}
          onDone={(changed) => {
            setEditing(false);
            if (changed) onChanged();
          }}
        />
      )}
      {deleting && (
        <DeleteEntry
          entry={entry}
          what={what}
          onClose={(deleted) => {
            setDeleting(false);
            if (deleted) onChanged();
          }}
        />
      )}
    </li>
  );
});

function EntryForm({ entry, zone, onDone }: { entry: TimeEntryView; zone: string; onDone: (changed: boolean) => void }) {
  const client = useClient();
  const [projectId, setProjectId] = useState(entry.projectId ?? "");
  const [notes, setNotes] = useState(entry.notes);
  const [start, setStart] = useState(toLocalInput(entry.startTime, zone));
  const [end, setEnd] = useState(toLocalInput(entry.endTime, zone));
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const startTime = fromLocalInput(start, zone);
    const endTime = fromLocalInput(end, zone);
    if (!startTime || !endTime) return setError("Enter a start and an end date and time.");
    setSaving(true);
    // Only what changed: an unchanged field sent anyway would count as the user's edit.
    const input = {
      id: entry.id,
      ...(projectId !== (entry.projectId ?? "") ? { projectId: projectId || null } : {}),
      ...(notes !== entry.notes ? { notes } : {}),
      ...(startTime !== new Date(entry.startTime).toISOString() ? { startTime } : {}),
      ...(endTime !== new Date(entry.endTime).toISOString() ? { endTime } : {}),
    };
    const answer = await client.mutation(UpdateTimeEntryMutation, { input }).toPromise();
    setSaving(false);
    if (answer.error) return setError(errorSentence(answer.error));
    onDone(true);
  };
  return (
    <form class="entry-form" onSubmit={onSubmit} aria-label="Edit entry">
      <ProjectSelect label="Project" value={projectId} onChange={setProjectId} />
      <TextField label="Notes" type="text" value={notes} onInput={(e) => setNotes(e.currentTarget.value)} />
      <div class="field-row">
        <TextField label="Start" type="datetime-local" required value={start} onInput={(e) => setStart(e.currentTarget.value)} />
        <TextField label="End" type="datetime-local" required value={end} onInput={(e) => setEnd(e.currentTarget.value)} />
      </div>
      {entry.source === "AUTO" && <p class="hint">Your changes are kept: later syncs do not overwrite them.</p>}
      <ErrorMessage>{error}</ErrorMessage>
      <div class="actions">
        <button type="submit" disabled={saving}>
          Save
        </button>
        <button type="button" class="secondary" onClick={() => onDone(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function DeleteEntry({ entry, what, onClose }: { entry: TimeEntryView; what: string; onClose: (deleted: boolean) => void }) {
  const client = useClient();
  const [error, setError] = useState<string | null>(null);
  const remove = async () => {
    const answer = await client.mutation(DeleteTimeEntryMutation, { id: entry.id }).toPromise();
    if (answer.error) return setError(errorSentence(answer.error));
    onClose(true);
  };
  return (
    <Dialog title="Delete this entry?" open onClose={() => onClose(false)}>
      <p>{what}</p>
      {entry.source === "AUTO" && <p>It came from your calendar: later syncs will not import it again.</p>}
      <ErrorMessage>{error}</ErrorMessage>
      <div class="actions">
        <button type="button" class="danger" onClick={() => void remove()}>
          Delete the entry
        </button>
        <button type="button" class="secondary" onClick={() => onClose(false)}>
          Keep it
        </button>
      </div>
    </Dialog>
  );
}

/** "Add an entry": a manual entry on a day of the shown week. */
function AddEntry({ monday, zone, onAdded }: { monday: DateTime; zone: string; onAdded: () => void }) {
  const client = useClient();
  const today = DateTime.now().setZone(zone);
  const defaultDay = today >= monday && today < monday.plus({ weeks: 1 }) ? today : monday;
  const [open, setOpen] = useState(false);
  const [start, setStart] = useState("");
  const [end, setEnd] = useState("");
  const [projectId, setProjectId] = useState("");
  const [notes, setNotes] = useState("");
  const [error, setError] = useState<string | null>(null);
  const show = () => {
    setStart(defaultDay.set({ hour: 9, minute: 0 }).toFormat("yyyy-LL-dd'T'HH:mm"));
    setEnd(defaultDay.set({ hour: 10, minute: 0 }).toFormat("yyyy-LL-dd'T'HH:mm"));
    setError(null);
    setOpen(true);
  };
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const startTime = fromLocalInput(start, zone);
    const endTime = fromLocalInput(end, zone);
    if (!startTime || !endTime) return setError("Enter a start and an end date and time.");
    const answer = await client.mutation(CreateTimeEntryMutation, { input: { startTime, endTime, notes, projectId: projectId || null } }).toPromise();
    if (answer.error) return setError(errorSentence(answer.error));
    setOpen(false);
    setNotes("");
    onAdded();
  };
  if (!open) {
    return (
      <button type="button" onClick={show}>
        Add an entry
      </button>
    );
  }
  return (
    <form class="entry-form" onSubmit={onSubmit} aria-label="New entry">
      <h3 class="small">New entry</h3>
      <div class="field-row">
        <TextField label="Start" type="datetime-local" required value={start} onInput={(e) => setStart(e.currentTarget.value)} />
        <TextField label="End" type="datetime-local" required value={end} onInput={(e) => setEnd(e.currentTarget.value)} />
      </div>
      <ProjectSelect label="Project" value={projectId} onChange={setProjectId} />
      <TextField label="Notes" type="text" value={notes} onInput={(e) => setNotes(e.currentTarget.value)} />
      <ErrorMessage>{error}</ErrorMessage>
      <div class="actions">
        <button type="submit">Add the entry</button>
        <button type="button" class="secondary" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
