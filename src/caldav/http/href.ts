/**
 * Href handling (RFC 4918 §8.3: hrefs are URI references, possibly relative). Servers are sloppy:
 * raw spaces, raw non-ASCII, or already percent-encoded octets all occur. We keep the server's
 * spelling as a stable key and resolve a URL for requests.
 */
export interface ResolvedHref {
  /** the href exactly as the server sent it (trimmed), use as a stable key */
  href: string;
  /** absolute URL to request */
  url: string;
  /** same origin as the base: only then may credentials be sent */
  sameOrigin: boolean;
}

/**
 * Encode characters that are not allowed raw in a URI (space, non-ASCII, controls, and a few
 * delimiters that cannot appear in a path), leaving existing %XX escapes alone (no double-encoding).
 */
export function encodeHrefChars(href: string): string {
  let out = "";
  for (const ch of href) {
    if (/^[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]$/.test(ch)) out += ch;
    else if (ch === "%") out += "%";
    else out += encodeURIComponent(ch).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
  }
  // a '%' not followed by two hex digits is a literal percent sign: encode it
  return out.replace(/%(?![0-9A-Fa-f]{2})/g, "%25");
}

export function resolveHref(href: string, base: string | URL): ResolvedHref {
  const trimmed = href.trim();
  const baseUrl = typeof base === "string" ? new URL(base) : base;
  const u = new URL(encodeHrefChars(trimmed), baseUrl);
  u.hash = "";
  return { href: trimmed, url: u.toString(), sameOrigin: u.origin === baseUrl.origin };
}

/** Compares two hrefs/URLs by path, tolerant of encoding differences and a trailing slash. */
export function samePath(a: string, b: string, base: string | URL): boolean {
  const norm = (x: string) => {
    const u = new URL(encodeHrefChars(x.trim()), base);
    let p = u.pathname;
    try {
      p = decodeURIComponent(p);
    } catch {
      /* keep encoded */
    }
    return u.origin + p.replace(/\/+$/, "");
  };
  return norm(a) === norm(b);
}
