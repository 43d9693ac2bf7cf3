import { CalDAVError } from "./errors.js";
import type { CalDAVHttpClient, DavResponse } from "./http/client.js";
import { errorForStatus } from "./http/transport-errors.js";
import { parseDavErrorBody, readMultistatus, type Multistatus, type MultistatusResponse } from "./xml/multistatus.js";

export interface MultistatusResult extends Multistatus {
  /** URL that answered (after redirects): base for resolving hrefs */
  url: string;
}

function looksLikeXml(res: DavResponse): boolean {
  const ct = String(res.headers["content-type"] ?? "").toLowerCase();
  return ct.includes("xml") || /^\s*(<\?xml|<([A-Za-z][\w.-]*:)?multistatus)/.test(res.body);
}

/** Turns a DAV response into a parsed multistatus, mapping everything else to a CalDAVError. */
export function expectMultistatus(res: DavResponse): MultistatusResult {
  const responses: MultistatusResponse[] = [];
  return { ...readMultistatusAnswer(res, (r) => responses.push(r)), responses };
}

/** expectMultistatus handing each response on as it is read (readMultistatus) rather than collecting them. */
export function readMultistatusAnswer(res: DavResponse, onResponse: (response: MultistatusResponse) => void): Omit<MultistatusResult, "responses"> {
  if (res.status === 207) {
    if (!looksLikeXml(res)) throw new CalDAVError("NOT_CALDAV", { status: 207, url: res.url, detail: "207 without an XML body" });
    return { ...readMultistatus(res.body, onResponse), url: res.url };
  }
  if (res.status >= 200 && res.status < 300)
    // e.g. an HTML page answering 200 to PROPFIND: something, but not WebDAV
    throw new CalDAVError("NOT_CALDAV", { status: res.status, url: res.url, detail: "expected a 207 Multi-Status answer" });
  if (res.status >= 300 && res.status < 400)
    throw new CalDAVError("NOT_CALDAV", { status: res.status, url: res.url, detail: "unexpected redirect" });
  const conditions = parseDavErrorBody(res.body);
  throw errorForStatus(res.status, res.url, conditions.length ? `precondition ${conditions.join(", ")}` : undefined);
}

export async function propfind(client: CalDAVHttpClient, url: string, depth: "0" | "1", body: string): Promise<MultistatusResult> {
  return expectMultistatus(await client.request({ method: "PROPFIND", url, depth, body }));
}
