import { createHash, randomBytes } from "node:crypto";
import type { AuthChallenge } from "./www-authenticate.js";

/** RFC 7616 §3.3 algorithms we implement (the "-sess" variants change only A1). */
export type DigestAlgorithm = "MD5" | "MD5-sess" | "SHA-256" | "SHA-256-sess";

export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque?: string;
  algorithm: DigestAlgorithm;
  /** true when the server offers qop=auth; false = legacy RFC 2069 mode (no qop) */
  qopAuth: boolean;
  stale: boolean;
  userhash: boolean;
}

const ALGOS: Record<string, DigestAlgorithm> = {
  "md5": "MD5",
  "md5-sess": "MD5-sess",
  "sha-256": "SHA-256",
  "sha-256-sess": "SHA-256-sess",
};

/** Strength order used to pick among several Digest challenges (RFC 7616 §3.7: prefer the strongest). */
const STRENGTH: Record<DigestAlgorithm, number> = { "SHA-256-sess": 4, "SHA-256": 3, "MD5-sess": 2, MD5: 1 };

/** Returns a usable Digest challenge, or null if unsupported (e.g. qop=auth-int only, SHA-512-256). */
export function toDigestChallenge(c: AuthChallenge): DigestChallenge | null {
  if (c.scheme !== "digest") return null;
  const p = c.params;
  if (p["realm"] === undefined || !p["nonce"]) return null;
  const algorithm = ALGOS[(p["algorithm"] ?? "MD5").toLowerCase()];
  if (!algorithm) return null;
  const qops = p["qop"] === undefined ? null : p["qop"].split(",").map((q) => q.trim().toLowerCase());
  // RFC 7616 §3.3: qop is mandatory for this spec, but RFC 2069 servers omit it. auth-int is not supported.
  if (qops && !qops.includes("auth")) return null;
  const ch: DigestChallenge = {
    realm: p["realm"],
    nonce: p["nonce"],
    algorithm,
    qopAuth: qops !== null,
    stale: (p["stale"] ?? "").toLowerCase() === "true",
    userhash: (p["userhash"] ?? "").toLowerCase() === "true",
  };
  if (p["opaque"] !== undefined) ch.opaque = p["opaque"];
  return ch;
}

/** Picks the strongest supported Digest challenge among all challenges of a response. */
export function pickDigestChallenge(challenges: AuthChallenge[]): DigestChallenge | null {
  let best: DigestChallenge | null = null;
  for (const c of challenges) {
    const d = toDigestChallenge(c);
    if (d && (!best || STRENGTH[d.algorithm] > STRENGTH[best.algorithm])) best = d;
  }
  return best;
}

function h(algorithm: DigestAlgorithm, data: string): string {
  return createHash(algorithm.startsWith("SHA-256") ? "sha256" : "md5")
    .update(data, "utf8")
    .digest("hex");
}

export interface DigestResponseInput {
  challenge: DigestChallenge;
  username: string;
  password: string;
  method: string;
  /** request-target: path + query, as sent on the request line (RFC 7616 §3.4 "uri") */
  uri: string;
  /** nonce count, starting at 1 for each new nonce */
  nc: number;
  /** client nonce; random when omitted */
  cnonce?: string;
}

/** Computes the `Authorization: Digest …` header value (RFC 7616 §3.4). */
export function digestAuthorization(input: DigestResponseInput): string {
  const { challenge: c, username, password, method, uri } = input;
  const cnonce = input.cnonce ?? randomBytes(16).toString("hex");
  const nc = input.nc.toString(16).padStart(8, "0");
  let ha1 = h(c.algorithm, `${username}:${c.realm}:${password}`);
  // §3.4.2: for -sess, A1 = H(user:realm:pass) ":" nonce ":" cnonce
  if (c.algorithm.endsWith("-sess")) ha1 = h(c.algorithm, `${ha1}:${c.nonce}:${cnonce}`);
  const ha2 = h(c.algorithm, `${method}:${uri}`);
  const response = c.qopAuth
    ? h(c.algorithm, `${ha1}:${c.nonce}:${nc}:${cnonce}:auth:${ha2}`)
    : h(c.algorithm, `${ha1}:${c.nonce}:${ha2}`); // RFC 2069 compatibility
  // §3.4.4: userhash=true → username = H(username:realm)
  const user = c.userhash ? h(c.algorithm, `${username}:${c.realm}`) : username;
  const q = (v: string) => `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  const parts = [`username=${q(user)}`, `realm=${q(c.realm)}`, `nonce=${q(c.nonce)}`, `uri=${q(uri)}`, `algorithm=${c.algorithm}`, `response=${q(response)}`];
  if (c.qopAuth) parts.push(`qop=auth`, `nc=${nc}`, `cnonce=${q(cnonce)}`);
  if (c.opaque !== undefined) parts.push(`opaque=${q(c.opaque)}`);
  if (c.userhash) parts.push(`userhash=true`);
  return `Digest ${parts.join(", ")}`;
}
