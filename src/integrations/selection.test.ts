import { describe, expect, it } from "vitest";
import { planSelection } from "./selection.js";
import type { IntegrationCalendar } from "./service.js";

const A = "http://127.0.0.1:15399/anna/personal/";
const TYPO = "http://127.0.0.1:15399/anna/nosuch/";
const OTHER_HOST = "http://dav.invalid/anna/personal/";

function row(url: string, selected: boolean): IntegrationCalendar {
  const now = new Date(0);
  return {
    id: `id ${url}`,
    integrationId: "integration",
    url,
    displayName: null,
    description: null,
    color: null,
    supportsEvents: true,
    selected,
    autoSelected: false,
    defaultProjectId: null,
    ctag: null,
    syncToken: null,
    createdAt: now,
    updatedAt: now,
  };
}
const urls = (rows: readonly { url: string }[]) => rows.map((r) => r.url);

// Each case written by hand from docs/servers.md "Changing an integration".
describe("planSelection", () => {
  it("makes a new direct calendar URL the one selected calendar", () => {
    const plan = planSelection(null, { serverUrl: null, calendarUrl: A }, [], []);
    expect(plan.upserts).toEqual([{ url: A, selected: true, field: "calendarUrl" }]);
    expect(plan.dropped).toEqual([]);
  });

  it("replaces a calendar URL: the typo is selected, the old one dropped; going back reuses the old row", () => {
    const typo = planSelection({ serverUrl: null, calendarUrl: A }, { serverUrl: null, calendarUrl: TYPO }, [row(A, true)], []);
    expect(urls(typo.upserts)).toEqual([TYPO]);
    expect(urls(typo.dropped)).toEqual([A]);
    expect(typo.locationChanged).toBe(true);

    const back = planSelection({ serverUrl: null, calendarUrl: TYPO }, { serverUrl: null, calendarUrl: "HTTP://127.0.0.1:15399/anna/personal" }, [row(A, false), row(TYPO, true)], []);
    expect(back.upserts).toEqual([{ url: A, selected: true, field: "calendarUrl" }]);
    expect(urls(back.dropped)).toEqual([TYPO]);
  });

  it("keeps the selected calendars on the new server's origin and drops the others", () => {
    const known = [row(A, true), row(OTHER_HOST, true), row("http://127.0.0.1:15399/anna/unselected/", false)];
    const plan = planSelection({ serverUrl: "http://dav.invalid/", calendarUrl: null }, { serverUrl: "http://127.0.0.1:15399/anna/", calendarUrl: null }, known, []);
    expect(plan.upserts).toEqual([]);
    expect(urls(plan.dropped)).toEqual([OTHER_HOST]);
    expect(plan.locationChanged).toBe(true);
  });

  it("takes two forms of one calendar for one row, under its stored URL", () => {
    const plan = planSelection(
      { serverUrl: "http://127.0.0.1:15399/", calendarUrl: null },
      { serverUrl: "http://127.0.0.1:15399/", calendarUrl: null },
      [row(A, false)],
      [
        { url: "http://127.0.0.1:15399/anna/personal", selected: true, field: "calendars[0].selected" },
        { url: "http://127.0.0.1:15399/%61nna/personal/", selected: true, field: "calendars[1].selected" },
      ],
    );
    expect(plan.upserts).toEqual([{ url: A, selected: true, field: "calendars[1].selected" }]);
    expect(plan.dropped).toEqual([]);
    expect(plan.locationChanged).toBe(false);
  });

  it("drops a calendar the user unselects, and not one the user selects again while the server moves", () => {
    const same = { serverUrl: "http://127.0.0.1:15399/", calendarUrl: null };
    const unselect = planSelection(same, same, [row(A, true)], [{ url: A, selected: false, field: "calendars[0].selected" }]);
    expect(urls(unselect.dropped)).toEqual([A]);
    const reselect = planSelection(same, { serverUrl: "http://dav.invalid/", calendarUrl: null }, [row(A, true)], [{ url: A, selected: true, field: "calendars[0].selected" }]);
    expect(reselect.dropped).toEqual([]);
  });

  it("changes nothing when the location is the same in another spelling", () => {
    const plan = planSelection({ serverUrl: "http://127.0.0.1:15399/", calendarUrl: A }, { serverUrl: "HTTP://127.0.0.1:15399", calendarUrl: A.slice(0, -1) }, [row(A, true)], []);
    expect(plan).toEqual({ upserts: [], dropped: [], locationChanged: false });
  });
});
