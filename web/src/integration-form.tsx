import type { CombinedError } from "@urql/core";
import { useQuery } from "@urql/preact";
import { useId } from "preact/hooks";
import { errorSentence } from "./errors.js";
import type { VariablesOf } from "./graphql.js";
import { ProjectsQuery, type ConfigureIntegrationMutation, type IntegrationView } from "./operations.js";
import { CheckboxField, SelectField, TextField } from "./ui.js";

export type ConfigureInput = VariablesOf<typeof ConfigureIntegrationMutation>["input"];

/** The integration settings as the form holds them (inputs hold strings). */
export interface SettingsForm {
  name: string;
  url: string;
  /** The URL is one calendar's, used directly (no discovery). */
  directCalendar: boolean;
  username: string;
  /** Empty when editing: keep the stored one. */
  password: string;
  verifySsl: boolean;
  defaultProjectId: string;
  lookbackDays: string;
  lookaheadDays: string;
  timezone: string;
  autoSyncIntervalMinutes: string;
  importAllDay: boolean;
  allDayStart: string;
  allDayHours: string;
  skipFreeEvents: boolean;
  /** One address per line (docs/sync.md, "Which attendee is you"). */
  extraAttendeeAddresses: string;
  skipTentativeInvitations: boolean;
  skipEventsWithoutMe: boolean;
}

export function newSettingsForm(timezone: string): SettingsForm {
  return {
    name: "",
    url: "",
    directCalendar: false,
    username: "",
    password: "",
    verifySsl: true,
    defaultProjectId: "",
    lookbackDays: "90",
    lookaheadDays: "0",
    timezone,
    autoSyncIntervalMinutes: "60",
    importAllDay: false,
    allDayStart: "09:00",
    allDayHours: "8",
    skipFreeEvents: false,
    extraAttendeeAddresses: "",
    skipTentativeInvitations: false,
    skipEventsWithoutMe: false,
  };
}

export function settingsFormOf(integration: IntegrationView): SettingsForm {
  return {
    name: integration.name,
    url: integration.calendarUrl ?? integration.serverUrl ?? "",
    directCalendar: integration.calendarUrl != null,
    username: integration.username,
    password: "",
    verifySsl: integration.verifySsl,
    defaultProjectId: integration.defaultProjectId ?? "",
    lookbackDays: String(integration.lookbackDays),
    lookaheadDays: String(integration.lookaheadDays),
    timezone: integration.timezone,
    autoSyncIntervalMinutes: integration.autoSyncIntervalMinutes == null ? "" : String(integration.autoSyncIntervalMinutes),
    importAllDay: integration.importAllDay,
    allDayStart: integration.allDayStart,
    allDayHours: String(integration.allDayHours),
    skipFreeEvents: integration.skipFreeEvents,
    extraAttendeeAddresses: integration.extraAttendeeAddresses.map(withoutMailto).join("\n"),
    skipTentativeInvitations: integration.skipTentativeInvitations,
    skipEventsWithoutMe: integration.skipEventsWithoutMe,
  };
}

export function configureInputOf(form: SettingsForm, id?: string): ConfigureInput {
  const url = form.url.trim();
  return {
    ...(id ? { id } : {}),
    name: form.name.trim() || undefined,
    serverUrl: form.directCalendar ? null : url,
    calendarUrl: form.directCalendar ? url : null,
    username: form.username,
    ...(form.password ? { password: form.password } : {}),
    verifySsl: form.verifySsl,
    defaultProjectId: form.defaultProjectId || null,
    lookbackDays: Number(form.lookbackDays),
    lookaheadDays: Number(form.lookaheadDays),
    timezone: form.timezone,
    autoSyncIntervalMinutes: form.autoSyncIntervalMinutes === "" ? null : Number(form.autoSyncIntervalMinutes),
    importAllDay: form.importAllDay,
    allDayStart: form.allDayStart,
    allDayHours: Number(form.allDayHours),
    skipFreeEvents: form.skipFreeEvents,
    extraAttendeeAddresses: addressLines(form.extraAttendeeAddresses),
    skipTentativeInvitations: form.skipTentativeInvitations,
    skipEventsWithoutMe: form.skipEventsWithoutMe,
  };
}

/** The non-empty lines of the addresses text area, in order. */
function addressLines(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
}

function withoutMailto(address: string): string {
  return address.replace(/^mailto:/i, "");
}

/** The refused entry ("extraAttendeeAddresses" or "extraAttendeeAddresses[i]") of a BAD_USER_INPUT answer, if any. */
function refusedAddressField(error: CombinedError | null | undefined): string | null {
  const field = error?.graphQLErrors[0]?.extensions["field"];
  return typeof field === "string" && field.startsWith("extraAttendeeAddresses") ? field : null;
}

/**
 * What to tell the person when saving failed. A refused address comes back with a message that
 * completes a sentence about the field; name the address it is about.
 */
export function settingsErrorSentence(error: CombinedError | null | undefined, form: SettingsForm): string | null {
  const field = refusedAddressField(error);
  if (!field) return errorSentence(error);
  const index = /\[(\d+)\]$/.exec(field)?.[1];
  const address = index === undefined ? undefined : addressLines(form.extraAttendeeAddresses)[Number(index)];
  const subject = address === undefined ? "Your other e-mail addresses" : `The address "${address}"`;
  return `${subject} ${error?.graphQLErrors[0]?.message ?? ""}.`;
}

/** What to type for the common servers (docs/servers.md). */
const SERVER_EXAMPLES: [server: string, address: string, note: string][] = [
  ["Nextcloud", "https://cloud.example.com/remote.php/dav", "With two-factor sign-in, create an app password (Settings → Security)."],
  ["Zimbra", "https://mail.example.com/dav/you@example.com/", "Use your full e-mail address as username."],
  ["Fastmail", "https://caldav.fastmail.com/", "Needs an app password with CalDAV access."],
  ["iCloud", "https://caldav.icloud.com/", "Needs an app-specific password from appleid.apple.com."],
  ["Radicale", "https://radicale.example.com/", "The server's address is enough."],
  ["Baïkal", "https://dav.example.com/dav.php/", "Older versions: …/cal.php/."],
];

type Update = (change: Partial<SettingsForm>) => void;

/** Step 1: where the calendars are and how to sign in there. */
export function ConnectionFields({ form, update, editing }: { form: SettingsForm; update: Update; editing: boolean }) {
  return (
    <>
      <TextField
        label="Calendar server address"
        type="text"
        inputMode="url"
        autocomplete="url"
        required
        value={form.url}
        onInput={(e) => update({ url: e.currentTarget.value })}
        hint="The address of your calendar server (its base address is enough), or of one calendar."
      />
      <details class="examples">
        <summary>Examples for common servers</summary>
        <table>
          <caption class="visually-hidden">What to type for common calendar servers</caption>
          <thead>
            <tr>
              <th scope="col">Server</th>
              <th scope="col">Address</th>
              <th scope="col">Note</th>
            </tr>
          </thead>
          <tbody>
            {SERVER_EXAMPLES.map(([server, address, note]) => (
              <tr key={server}>
                <th scope="row">{server}</th>
                <td>
                  <code>{address}</code>
                </td>
                <td>{note}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
      <CheckboxField
        label="This address is one calendar: use it as it is"
        checked={form.directCalendar}
        onChange={(e) => update({ directCalendar: e.currentTarget.checked })}
        hint="Leave this off to find all the calendars of your account."
      />
      <TextField label="Username" type="text" autocomplete="username" required value={form.username} onInput={(e) => update({ username: e.currentTarget.value })} />
      <TextField
        label="Password"
        type="password"
        autocomplete="new-password"
        required={!editing}
        value={form.password}
        onInput={(e) => update({ password: e.currentTarget.value })}
        hint={editing ? "Leave empty to keep the saved password." : "Stored encrypted on this server and never shown again. Use an app password where your provider offers one."}
      />
      <CheckboxField
        label="Verify the server's certificate"
        checked={form.verifySsl}
        onChange={(e) => update({ verifySsl: e.currentTarget.checked })}
        hint="Keep this on: it makes sure you are talking to your real server. Turn it off only for a server of your own with a self-signed certificate that you trust."
      />
    </>
  );
}

const INTERVALS: [value: string, label: string][] = [
  ["", "Off: sync by hand only"],
  ["15", "Every 15 minutes"],
  ["30", "Every 30 minutes"],
  ["60", "Every hour"],
  ["240", "Every 4 hours"],
  ["1440", "Once a day"],
];

let timeZones: string[] | null = null;
function allTimeZones(): string[] {
  timeZones ??= Intl.supportedValuesOf("timeZone");
  return timeZones;
}

/** A select of the user's active projects, with "no project" first. */
export function ProjectSelect({ label, value, onChange, noneLabel = "No project", hint }: { label: string; value: string; onChange: (id: string) => void; noneLabel?: string; hint?: string }) {
  const [projects] = useQuery({ query: ProjectsQuery, variables: { includeArchived: false } });
  return (
    <SelectField label={label} value={value} onChange={(e) => onChange(e.currentTarget.value)} hint={hint}>
      <option value="">{noneLabel}</option>
      {projects.data?.projects.map((project) => (
        <option key={project.id} value={project.id}>
          {project.name}
        </option>
      ))}
    </SelectField>
  );
}

/** Step 3: what to import and when. */
export function OptionFields({ form, update, ownAddresses, error }: { form: SettingsForm; update: Update; ownAddresses?: readonly string[]; error?: CombinedError | undefined }) {
  return (
    <>
      <TextField label="Name" type="text" value={form.name} placeholder="CalDAV" onInput={(e) => update({ name: e.currentTarget.value })} hint="How this connection is called in your lists." />
      <ProjectSelect
        label="Default project"
        value={form.defaultProjectId}
        onChange={(id) => update({ defaultProjectId: id })}
        hint="For events whose title or category names no project."
      />
      <div class="field-row">
        <TextField label="Days back" type="number" min={1} max={3650} required value={form.lookbackDays} onInput={(e) => update({ lookbackDays: e.currentTarget.value })} hint="Import events up to this many days in the past." />
        <TextField label="Days ahead" type="number" min={0} max={365} required value={form.lookaheadDays} onInput={(e) => update({ lookaheadDays: e.currentTarget.value })} hint="And this many days in the future (0: up to now)." />
      </div>
      <TimeZoneField value={form.timezone} onChange={(timezone) => update({ timezone })} hint="For events without a time zone of their own, and for all-day events." />
      <SelectField label="Automatic sync" value={form.autoSyncIntervalMinutes} onChange={(e) => update({ autoSyncIntervalMinutes: e.currentTarget.value })}>
        {INTERVALS.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </SelectField>
      <CheckboxField label="Import all-day events" checked={form.importAllDay} onChange={(e) => update({ importAllDay: e.currentTarget.checked })} hint="Off: all-day events (holidays, trips) are skipped." />
      {form.importAllDay && (
        <div class="field-row">
          <TextField label="All-day entries start at" type="time" required value={form.allDayStart} onInput={(e) => update({ allDayStart: e.currentTarget.value })} />
          <TextField label="Hours per all-day entry" type="number" min={1} max={24} required value={form.allDayHours} onInput={(e) => update({ allDayHours: e.currentTarget.value })} />
        </div>
      )}
      <CheckboxField label="Skip events shown as free" checked={form.skipFreeEvents} onChange={(e) => update({ skipFreeEvents: e.currentTarget.checked })} hint="Events marked free (available) in your calendar are not work time." />
      <p class="hint">Cancelled events and invitations you declined are never imported.</p>
      <AttendanceFields form={form} update={update} ownAddresses={ownAddresses} refused={refusedAddressField(error) !== null} />
    </>
  );
}

/** Which invitations count, and which attendee is you (docs/sync.md, "Which attendee is you"). */
function AttendanceFields({ form, update, ownAddresses, refused }: { form: SettingsForm; update: Update; ownAddresses: readonly string[] | undefined; refused: boolean }) {
  const id = useId();
  return (
    <fieldset>
      <legend>Invitations</legend>
      <CheckboxField
        label="Skip invitations I have not accepted"
        checked={form.skipTentativeInvitations}
        onChange={(e) => update({ skipTentativeInvitations: e.currentTarget.checked })}
        hint={'Invitations you answered "maybe" or not at all are not work time.'}
      />
      <CheckboxField
        label="Skip other people's events that do not list me"
        checked={form.skipEventsWithoutMe}
        onChange={(e) => update({ skipEventsWithoutMe: e.currentTarget.checked })}
        hint="Events someone else organised without you among the attendees, as in a shared team calendar."
      />
      {ownAddresses && (
        <p>{ownAddresses.length > 0 ? `Your server knows you as: ${ownAddresses.map(withoutMailto).join(", ")}` : "Your server has not told yet which addresses are yours; the connection check asks it."}</p>
      )}
      <div class="field">
        <label for={id}>Your other e-mail addresses</label>
        <textarea
          id={id}
          rows={3}
          spellcheck={false}
          autocomplete="off"
          aria-describedby={`${id}-hint`}
          aria-invalid={refused || undefined}
          value={form.extraAttendeeAddresses}
          onInput={(e) => update({ extraAttendeeAddresses: e.currentTarget.value })}
        />
        <p class="hint" id={`${id}-hint`}>
          One per line: addresses invitations reach you at that your server does not list as yours.
        </p>
      </div>
    </fieldset>
  );
}

export function TimeZoneField({ value, onChange, hint, label = "Time zone" }: { value: string; onChange: (zone: string) => void; hint: string; label?: string }) {
  return (
    <SelectField label={label} value={value} onChange={(e) => onChange(e.currentTarget.value)} hint={hint}>
      {(allTimeZones().includes(value) ? allTimeZones() : [value, ...allTimeZones()]).map((zone) => (
        <option key={zone} value={zone}>
          {zone.replace(/_/g, " ")}
        </option>
      ))}
    </SelectField>
  );
}
