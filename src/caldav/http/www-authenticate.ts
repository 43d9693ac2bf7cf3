/**
 * Parser for WWW-Authenticate (RFC 9110 §11.6.1): a header may carry several challenges,
 * and a response may carry several headers. Challenge = scheme [token68 | #auth-param].
 */
export interface AuthChallenge {
  /** lower-cased scheme, e.g. "basic", "digest" */
  scheme: string;
  /** auth-params with lower-cased names; quoted-string values unescaped */
  params: Record<string, string>;
}

export function parseWwwAuthenticate(values: string | string[] | undefined | null): AuthChallenge[] {
  if (values == null) return [];
  const list = Array.isArray(values) ? values : [values];
  const out: AuthChallenge[] = [];
  for (const v of list) out.push(...parseOne(v));
  return out;
}

function parseOne(s: string): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  let i = 0;
  let current: AuthChallenge | null = null;
  const n = s.length;
  const skipWs = () => {
    while (i < n && (s[i] === " " || s[i] === "\t")) i++;
  };
  while (i < n) {
    skipWs();
    if (s[i] === ",") {
      i++;
      continue;
    }
    const start = i;
    while (i < n && /[!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(s[i]!)) i++;
    const token = s.slice(start, i);
    if (!token) {
      i++; // garbage character: skip it
      continue;
    }
    skipWs();
    if (s[i] === "=" && current) {
      // could be auth-param (name=value) or token68 padding; treat name=value as param
      i++;
      skipWs();
      let value = "";
      if (s[i] === '"') {
        i++;
        while (i < n && s[i] !== '"') {
          if (s[i] === "\\" && i + 1 < n) i++;
          value += s[i];
          i++;
        }
        i++; // closing quote
      } else {
        const vs = i;
        while (i < n && s[i] !== "," && s[i] !== " " && s[i] !== "\t") i++;
        value = s.slice(vs, i);
      }
      current.params[token.toLowerCase()] = value;
    } else {
      // a new scheme
      current = { scheme: token.toLowerCase(), params: {} };
      out.push(current);
      // token68 (e.g. "Negotiate abc==") — consume it if no "=" follows a token
      skipWs();
      const m = /^[A-Za-z0-9\-._~+/]+=*(?=\s*(,|$))/.exec(s.slice(i));
      if (m && !/^[A-Za-z0-9!#$%&'*+\-.^_`|~]+\s*=[^=]/.test(s.slice(i))) {
        current.params["token68"] = m[0];
        i += m[0].length;
      }
    }
  }
  return out;
}
