import { ProjectSelect } from "./integration-form.js";
import { CheckboxField } from "./ui.js";

export interface CalendarChoice {
  url: string;
  displayName?: string | null;
  color?: string | null;
  supportsEvents: boolean;
  selected: boolean;
  /** Chosen by the first sync because none was (IntegrationCalendar.autoSelected). */
  autoSelected?: boolean;
  /** "" for the integration's default project. */
  defaultProjectId: string;
}

/** One checkbox per calendar, with its colour and, once chosen, its own default project. */
export function CalendarChoices({ choices, onChange, legend }: { choices: CalendarChoice[]; onChange: (choices: CalendarChoice[]) => void; legend: string }) {
  const change = (url: string, patch: Partial<CalendarChoice>) => onChange(choices.map((c) => (c.url === url ? { ...c, ...patch } : c)));
  return (
    <fieldset class="calendar-choices">
      <legend>{legend}</legend>
      <ul>
        {choices.map((calendar) => {
          const name = calendar.displayName || calendar.url;
          return (
            <li key={calendar.url}>
              {/* CalDAV colours are "#RRGGBB" or "#RRGGBBAA" (Apple's calendar-color); the alpha is dropped. */}
              {calendar.color && <span class="swatch" aria-hidden="true" style={{ background: calendar.color.slice(0, 7) }} />}
              <div>
                <CheckboxField
                  label={name}
                  checked={calendar.selected}
                  disabled={!calendar.supportsEvents}
                  onChange={(e) => change(calendar.url, { selected: e.currentTarget.checked })}
                  hint={
                    !calendar.supportsEvents
                      ? "Holds tasks only, no events: it cannot be imported."
                      : calendar.autoSelected
                        ? "Chosen automatically at the first sync, because no calendar was chosen: it is the first one that holds events."
                        : undefined
                  }
                />
                {calendar.selected && (
                  <ProjectSelect
                    label={`Project for ${name}`}
                    noneLabel="The default project"
                    value={calendar.defaultProjectId}
                    onChange={(id) => change(calendar.url, { defaultProjectId: id })}
                  />
                )}
              </div>
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}
