import { CalDAVError } from "./errors.js";
import type { CalDAVHttpClient } from "./http/client.js";
import { resolveHref, samePath } from "./http/href.js";
import { normalizeServerUrl, selfResponse } from "./discovery.js";
import { propfind } from "./requests.js";
import { propfindBody } from "./xml/build.js";
import { okProps, propHrefs } from "./xml/multistatus.js";
import { P } from "./xml/names.js";

const PRINCIPAL_BODY = propfindBody(["D:current-user-principal", "C:calendar-user-address-set"]);

/**
 * The addresses the server knows the logged-in user by: CALDAV:calendar-user-address-set of the
 * DAV:current-user-principal (RFC 6638 §2.4.1, RFC 5397), found from the URL the user typed, else
 * from /.well-known/caldav or the server root. mailto: addresses, principal URLs (made absolute),
 * urn:uuid: and the like, as the server lists them; [] when the server has no such property.
 * Throws the first CalDAVError when no candidate answered at all (the server may be down).
 */
export async function readOwnAddresses(client: CalDAVHttpClient, input: string): Promise<string[]> {
  const start = normalizeServerUrl(input);
  const origin = new URL(start).origin;
  const candidates = [start, `${origin}/.well-known/caldav`, `${origin}/`].filter((u, i, a) => a.indexOf(u) === i);
  let firstError: CalDAVError | null = null;
  let answered = false;
  for (const url of candidates) {
    try {
      const ms = await propfind(client, url, "0", PRINCIPAL_BODY);
      answered = true;
      const self = selfResponse(ms);
      const principal = self ? propHrefs(self, P.currentUserPrincipal).map((h) => resolveHref(h, ms.url))[0] : undefined;
      // Only the current user's principal: DAViCal answers the owner's addresses on every resource,
      // which for a calendar shared by someone else are theirs.
      if (!principal?.sameOrigin || !client.mayReceiveCredentials(principal.url)) continue;
      const answer = samePath(principal.url, ms.url, ms.url) ? ms : await propfind(client, principal.url, "0", PRINCIPAL_BODY);
      const own = selfResponse(answer);
      if (!own || !okProps(own).has(P.calendarUserAddressSet)) return [];
      const addresses = propHrefs(own, P.calendarUserAddressSet).map((h) => resolveHref(h, answer.url).url);
      return [...new Set(addresses)];
    } catch (error) {
      if (!(error instanceof CalDAVError)) throw error;
      firstError ??= error;
    }
  }
  if (firstError && !answered) throw firstError;
  return [];
}
