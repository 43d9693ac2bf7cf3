import type { ResultOf } from "./graphql.js";
import type { TestConnectionMutation } from "./operations.js";

type CalendarResults = ResultOf<typeof TestConnectionMutation>["testConnection"]["calendars"];

/**
 * A connection check's result per calendar: each one imported, whether a sync can use it and, when
 * not, the server's sentence saying why and what to do; then the others the account has.
 */
export function CalendarCheckList({ calendars }: { calendars: CalendarResults }) {
  const imported = calendars.filter((calendar) => calendar.selected);
  const others = calendars.filter((calendar) => !calendar.selected);
  return (
    <>
      {imported.length > 0 && (
        <ul class="calendar-checks" aria-label="Calendars checked">
          {imported.map((calendar) => (
            <li key={calendar.url} class={calendar.ok ? "ok" : "failed"}>
              <strong>{calendar.displayName || calendar.url}</strong>: {calendar.ok ? "can be synced." : (calendar.message ?? "cannot be synced: check its address.")}
            </li>
          ))}
        </ul>
      )}
      {others.length > 0 && (
        <p class="hint">
          Also in this account, not imported: {others.map((calendar) => `${calendar.displayName || calendar.url}${calendar.supportsEvents ? "" : " (tasks only)"}`).join(", ")}.
        </p>
      )}
    </>
  );
}
