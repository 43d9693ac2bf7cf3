import { createHash, randomBytes } from "node:crypto";

/** "tt_" + 43 base64url characters (256 random bits). The prefix makes leaked tokens greppable. */
export const API_TOKEN_PREFIX = "tt_";
/** Session cookies carry the same kind of secret under their own prefix. */
export const SESSION_PREFIX = "ts_";
/** How many characters of a secret are shown to tell it apart: its kind and 6 more. */
const SHOWN_PREFIX_LENGTH = API_TOKEN_PREFIX.length + 6;

export interface NewToken {
  token: string;
  prefix: string;
  hash: string;
}

export function generateToken(kind: typeof API_TOKEN_PREFIX | typeof SESSION_PREFIX = API_TOKEN_PREFIX): NewToken {
  const token = kind + randomBytes(32).toString("base64url");
  return { token, prefix: token.slice(0, SHOWN_PREFIX_LENGTH), hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Extracts the token from an `Authorization: Bearer …` header; null when absent or malformed. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1] ?? null;
}
