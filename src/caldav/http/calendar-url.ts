/**
 * One spelling per calendar collection URL, so the same calendar typed or listed in another form
 * is recognised as the same calendar (RFC 3986 §6.2.2 syntax-based normalisation):
 *
 * - scheme and host lower-cased, default port dropped, dot segments removed (WHATWG URL does these);
 * - percent-encoding: hex digits upper-cased (§6.2.2.1), escapes of unreserved characters decoded
 *   (§6.2.2.2), and characters a path may not hold raw (§3.3) encoded;
 * - a trailing slash: a collection's URL ends with one (RFC 4918 §5.2), and servers answer both.
 *
 * The fragment and any user name or password are dropped. Throws on a string WHATWG URL rejects.
 */
export function normalizeCalendarUrl(input: string): string {
  const url = new URL(input);
  url.username = "";
  url.password = "";
  url.hash = "";
  url.pathname = normalizePath(url.pathname);
  return url.toString();
}

/** Whether two URLs name the same calendar collection; false when either is not a URL. */
export function sameCalendarUrl(a: string, b: string): boolean {
  try {
    return normalizeCalendarUrl(a) === normalizeCalendarUrl(b);
  } catch {
    return false;
  }
}

// RFC 3986 §2.3 unreserved, and what a path segment may hold raw besides them (§3.3 pchar, "/").
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const RAW_IN_PATH = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/]$/;

function normalizePath(path: string): string {
  let out = "";
  for (let i = 0; i < path.length; i++) {
    const ch = path[i]!;
    const escape = ch === "%" ? /^[0-9A-Fa-f]{2}$/.exec(path.slice(i + 1, i + 3)) : null;
    if (escape) {
      const decoded = String.fromCharCode(parseInt(escape[0], 16));
      out += UNRESERVED.test(decoded) ? decoded : `%${escape[0].toUpperCase()}`;
      i += 2;
    } else if (RAW_IN_PATH.test(ch)) {
      out += ch;
    } else {
      // WHATWG leaves a few characters raw ("|", "^", "[", "]", a lone "%"): encode them as RFC 3986 wants.
      for (const byte of Buffer.from(ch, "utf8")) out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
    }
  }
  return out.endsWith("/") ? out : `${out}/`;
}
