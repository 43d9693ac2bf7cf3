import { NS } from "./names.js";

/** Escapes text and attribute values for XML (& < > " '). */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!);
}

const HEAD = `<?xml version="1.0" encoding="utf-8"?>\n`;
const XMLNS = `xmlns:D="${NS.DAV}" xmlns:C="${NS.CALDAV}" xmlns:CS="${NS.CS}" xmlns:I="${NS.ICAL}"`;

/** Property names in prefixed form using the prefixes declared by XMLNS above, e.g. "D:getetag". */
export type PropName = `${"D" | "C" | "CS" | "I"}:${string}`;

const props = (names: PropName[]) => `<D:prop>${names.map((n) => `<${n}/>`).join("")}</D:prop>`;

export function propfindBody(names: PropName[]): string {
  return `${HEAD}<D:propfind ${XMLNS}>${props(names)}</D:propfind>`;
}

/** RFC 6578 §3.2; an empty token element asks for the initial sync. */
export function syncCollectionBody(syncToken: string | null, names: PropName[] = ["D:getetag"]): string {
  const tok = syncToken ? `<D:sync-token>${escapeXml(syncToken)}</D:sync-token>` : `<D:sync-token/>`;
  return `${HEAD}<D:sync-collection ${XMLNS}>${tok}<D:sync-level>1</D:sync-level>${props(names)}</D:sync-collection>`;
}

/** RFC 4791 §7.8: calendar-query; here only used to list etags of every VCALENDAR object. */
export function calendarQueryEtagsBody(): string {
  return `${HEAD}<C:calendar-query ${XMLNS}>${props(["D:getetag"])}<C:filter><C:comp-filter name="VCALENDAR"/></C:filter></C:calendar-query>`;
}

/** RFC 4791 §7.9: calendar-multiget; hrefs are sent as the server spelled them (escaped for XML). */
export function calendarMultigetBody(hrefs: string[]): string {
  return `${HEAD}<C:calendar-multiget ${XMLNS}>${props(["D:getetag", "C:calendar-data"])}${hrefs
    .map((h) => `<D:href>${escapeXml(h)}</D:href>`)
    .join("")}</C:calendar-multiget>`;
}

export function mkcalendarBody(displayName: string): string {
  return `${HEAD}<C:mkcalendar ${XMLNS}><D:set><D:prop><D:displayname>${escapeXml(displayName)}</D:displayname><C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>`;
}
