import { CalDAVError } from "./errors.js";
import type { CalDAVHttpClient } from "./http/client.js";
import { resolveHref, samePath } from "./http/href.js";
import { normalizeServerUrl, selfResponse } from "./discovery.js";
import { propfind, type MultistatusResult } from "./requests.js";
import { propfindBody } from "./xml/build.js";
import { okProps, propHrefs } from "./xml/multistatus.js";
import { P } from "./xml/names.js";

const PRINCIPAL_BODY = propfindBody(["D:current-user-principal", "C:calendar-user-address-set"]);

/**
 * The addresses the server knows the logged-in user by: CALDAV:calendar-user-address-set of the
 * DAV:current-user-principal (RFC 6638 §2.4.1, RFC 5397), found from the URL the user typed, else
 * from /.well-known/caldav or the server root. mailto: addresses, principal URLs (made absolute),
 * urn:uuid: and the like, as the server lists them; [] when the server has no such property.
 * Throws a CalDAVError when no candidate answers (the server may be down) or the principal cannot be read.
 */
export async function readOwnAddresses(client: CalDAVHttpClient, input: string): Promise<string[]> {
  const found = await principalOf(client, input);
  if (!found) return [];
  const answer = samePath(found.principal, found.answer.url, found.answer.url) ? found.answer : await propfind(client, found.principal, "0", PRINCIPAL_BODY);
  const own = selfResponse(answer);
  if (!own || !okProps(own).has(P.calendarUserAddressSet)) return [];
  return [...new Set(propHrefs(own, P.calendarUserAddressSet).map((h) => resolveHref(h, answer.url).url))];
}

/** The first candidate URL's answer and the principal it names; null when the server names none. */
async function principalOf(client: CalDAVHttpClient, input: string): Promise<{ answer: MultistatusResult; principal: string } | null> {
  const start = normalizeServerUrl(input);
  const origin = new URL(start).origin;
  const candidates = [start, `${origin}/.well-known/caldav`, `${origin}/`].filter((u, i, a) => a.indexOf(u) === i);
  let firstError: CalDAVError | null = null;
  for (const url of candidates) {
    let answer: MultistatusResult;
    try {
      answer = await propfind(client, url, "0", PRINCIPAL_BODY);
    } catch (error) {
      if (!(error instanceof CalDAVError)) throw error;
      firstError ??= error;
      continue;
    }
    const self = selfResponse(answer);
    const principal = self ? propHrefs(self, P.currentUserPrincipal).map((h) => resolveHref(h, answer.url))[0] : undefined;
    // Only the current user's principal: DAViCal answers the owner's addresses on every resource,
    // which for a calendar shared by someone else are theirs. A DAV server that names no principal
    // here names none at its other URLs either.
    if (!principal?.sameOrigin || !client.mayReceiveCredentials(principal.url)) return null;
    return { answer, principal: principal.url };
  }
  if (firstError) throw firstError;
  return null;
}
