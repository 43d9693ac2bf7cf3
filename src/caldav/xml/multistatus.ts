import { CalDAVError } from "../errors.js";
import { NS } from "./names.js";
import { child, childrenOf, keyOf, parseXml, textOf, type ParseXmlOptions, type XmlElement } from "./parse.js";

export interface PropStat {
  status: number;
  /** props by Clark key "{ns}local" */
  props: Map<string, XmlElement>;
}

export interface MultistatusResponse {
  /** href as the server wrote it (trimmed) */
  href: string;
  /** response-level status (sync-collection deletions, multiget misses), null when only propstats */
  status: number | null;
  propstats: PropStat[];
  /** Clark keys of precondition elements in <error> */
  errors: string[];
  description: string | null;
}

export interface Multistatus {
  responses: MultistatusResponse[];
  /** RFC 6578 §6.4: the new token at the multistatus level */
  syncToken: string | null;
}

/** "HTTP/1.1 404 Not Found" → 404; malformed → 0 */
export function parseStatusLine(s: string | null): number {
  const m = s ? /^\s*HTTP\/\d(?:\.\d)?\s+(\d{3})/i.exec(s) : null;
  return m ? Number(m[1]) : 0;
}

export function parseMultistatus(xml: string, options?: ParseXmlOptions): Multistatus {
  const responses: MultistatusResponse[] = [];
  const { syncToken } = readMultistatus(xml, (r) => responses.push(r), options);
  return { responses, syncToken };
}

/**
 * Hands each DAV:response on as soon as its end tag is read, and keeps none of them: a whole
 * calendar's download (10,000 objects, 8 MB) is never held as one XML tree. Returns the
 * multistatus-level sync-token.
 */
export function readMultistatus(xml: string, onResponse: (response: MultistatusResponse) => void, options?: ParseXmlOptions): Pick<Multistatus, "syncToken"> {
  const root = parseXml(xml, {
    ...options,
    onChildOfRoot: (element, root) => {
      expectMultistatusRoot(root);
      if (element.ns !== NS.DAV || element.local !== "response") return false;
      for (const response of responsesOf(element)) onResponse(response);
      return true;
    },
  });
  expectMultistatusRoot(root);
  const tok = child(root, NS.DAV, "sync-token");
  return { syncToken: tok ? textOf(tok) : null };
}

function expectMultistatusRoot(root: XmlElement): void {
  if (root.ns !== NS.DAV || root.local !== "multistatus")
    throw new CalDAVError("INVALID_RESPONSE", { detail: `expected DAV:multistatus, got ${keyOf(root)}` });
}

function responsesOf(r: XmlElement): MultistatusResponse[] {
  const hrefs = childrenOf(r, NS.DAV, "href");
  const status = child(r, NS.DAV, "status");
  const propstats: PropStat[] = childrenOf(r, NS.DAV, "propstat").map((ps) => {
    const props = new Map<string, XmlElement>();
    for (const p of child(ps, NS.DAV, "prop")?.children ?? []) props.set(keyOf(p), p);
    return { status: parseStatusLine(textOf(child(ps, NS.DAV, "status"))), props };
  });
  const errors = (child(r, NS.DAV, "error")?.children ?? []).map(keyOf);
  const description = textOf(child(r, NS.DAV, "responsedescription"));
  // RFC 4918 §14.24: a response with a status may list several hrefs sharing it
  return hrefs.map((h) => ({ href: textOf(h) ?? "", status: status ? parseStatusLine(textOf(status)) : null, propstats, errors, description }));
}

/** The 2xx props of a response (props in 404 propstats are "not defined here"). */
export function okProps(r: MultistatusResponse): Map<string, XmlElement> {
  const m = new Map<string, XmlElement>();
  for (const ps of r.propstats) if (ps.status >= 200 && ps.status < 300) for (const [k, v] of ps.props) m.set(k, v);
  return m;
}

/** String value of a property, trimmed; null when absent. Never coerced to a number. */
export function propText(r: MultistatusResponse, key: string): string | null {
  const el = okProps(r).get(key);
  return el ? textOf(el) : null;
}

/** Hrefs inside a property such as current-user-principal or calendar-home-set. */
export function propHrefs(r: MultistatusResponse, key: string): string[] {
  const el = okProps(r).get(key);
  return childrenOf(el, NS.DAV, "href")
    .map((h) => textOf(h) ?? "")
    .filter(Boolean);
}

/** Parses a DAV:error body (RFC 4918 §16) into the Clark keys of its conditions; [] if not one. */
export function parseDavErrorBody(xml: string): string[] {
  if (!xml.includes("error")) return [];
  try {
    const root = parseXml(xml);
    if (root.ns !== NS.DAV || root.local !== "error") return [];
    return root.children.map(keyOf);
  } catch {
    return [];
  }
}
