import type { SyncRunCalendarRecord } from "../../src/db/schema.js";
import { selectedCalendars } from "../../src/sync/mirror.js";
import { startTestApi, type TestApi } from "../helpers/api.js";

export const RUN_FIELDS = `id status message mode trigger objectsFetched occurrencesSeen entriesCreated entriesUpdated entriesDeleted
  entriesUnchanged conflictsKept withheldDeletions requests skipped { reason count } errors { href uid message } warnings
  calendars { url name status download plan objectsFetched entriesCreated entriesUpdated entriesDeleted entriesUnchanged conflictsKept errorCode message }`;

export interface RunView {
  id: string;
  status: string;
  message: string | null;
  objectsFetched: number;
  occurrencesSeen: number;
  entriesCreated: number;
  entriesUpdated: number;
  entriesDeleted: number;
  entriesUnchanged: number;
  conflictsKept: number;
  withheldDeletions: number;
  requests: number;
  skipped: { reason: string; count: number }[];
  errors: { href: string; uid: string | null; message: string }[];
  warnings: string[];
  calendars: SyncRunCalendarRecord[];
}

export interface EntryView {
  id: string;
  startTime: string;
  endTime: string;
  notes: string;
  projectId: string | null;
  matchedBy: string | null;
  editedAfterImport: boolean;
  editedFields: string[];
  externalEvent: { uid: string; recurrenceId: string | null; calendarUrl: string; detached: boolean } | null;
}

export async function syncNow(api: TestApi, token: string, integrationId: string, mode = "INCREMENTAL", confirmDeletions = false): Promise<RunView> {
  const res = await api.graphql(token, `mutation($id: UUID!, $mode: SyncMode!, $confirm: Boolean!) { syncNow(integrationId: $id, mode: $mode, confirmDeletions: $confirm) { ${RUN_FIELDS} } }`, {
    id: integrationId,
    mode,
    confirm: confirmDeletions,
  });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data?.syncNow;
}

/** All of the user's imported entries, oldest first. */
export async function importedEntries(api: TestApi, token: string): Promise<EntryView[]> {
  const res = await api.graphql(
    token,
    `{ timeEntries(first: 500, filter: {source: AUTO}) { edges { node { id startTime endTime notes projectId matchedBy editedAfterImport editedFields
        externalEvent { uid recurrenceId calendarUrl detached } } } } }`,
  );
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data?.timeEntries.edges.map((e: { node: EntryView }) => e.node).reverse();
}

export const byUid = (entries: EntryView[], uid: string) => entries.filter((e) => e.externalEvent?.uid === uid);

/** A VCALENDAR with the given VEVENT bodies (lines), CRLF added by the seeding helpers. */
export function calendar(...events: string[][]): string {
  return ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//caldav-timesheet//sync tests//EN", ...events.flatMap((e) => ["BEGIN:VEVENT", "DTSTAMP:20250101T000000Z", ...e, "END:VEVENT"]), "END:VCALENDAR", ""].join("\n");
}

/**
 * A test API with one user and an integration of one calendar that is never contacted (a loopback
 * discard port): for tests that plan and apply by hand.
 */
export async function startPlanningFixture(email: string) {
  const api = await startTestApi();
  const userId = (await api.createUser(email)).id;
  const integration = await api.services.integrations.configure(userId, { name: "Planned by hand", calendarUrl: "http://127.0.0.1:9/calendar/", username: "u", password: "p", timezone: "UTC" });
  const calendarId = (await selectedCalendars(api.database.db, integration.id))[0]!.id;
  return { api, db: api.database.db, userId, integrationId: integration.id, calendarId };
}
