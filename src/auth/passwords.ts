/**
 * Password hashing with scrypt from node:crypto: memory-hard, and no native dependency to build.
 * Stored as a PHC-style string, `$scrypt$ln=17,r=8,p=1$<salt>$<hash>` (base64 without padding), so
 * the parameters can be raised later and old hashes still verify.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

export interface ScryptParameters {
  /** log2 of the CPU/memory cost N. */
  ln: number;
  r: number;
  p: number;
}

/** OWASP Password Storage Cheat Sheet: N=2^17, r=8, p=1 (128 MiB per hash). */
export const OWASP_SCRYPT: ScryptParameters = { ln: 17, r: 8, p: 1 };

const SALT_BYTES = 16;
const HASH_BYTES = 32;
export const PASSWORD_MIN_LENGTH = 8;
/** Long enough for any passphrase; bounds the work an attacker can ask of us. */
export const PASSWORD_MAX_LENGTH = 1024;

/**
 * Each hash holds 128 MiB for a few hundred ms: at most this many run at once, so a burst of
 * sign-ins waits instead of exhausting memory.
 */
const MAX_CONCURRENT_HASHES = 2;
let running = 0;
const waiting: (() => void)[] = [];

async function withHashSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT_HASHES) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

function derive(password: string, salt: Buffer, params: ScryptParameters, length: number): Promise<Buffer> {
  const N = 2 ** params.ln;
  // Node refuses more than 32 MiB by default; scrypt needs 128·N·r bytes.
  const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 128 * N * params.r * 2 };
  return withHashSlot(
    () => new Promise((resolve, reject) => scrypt(password.normalize("NFC"), salt, length, options, (error, key) => (error ? reject(error) : resolve(key)))),
  );
}

export async function hashPassword(password: string, params: ScryptParameters = OWASP_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, params, HASH_BYTES);
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${salt.toString("base64url")}$${hash.toString("base64url")}`;
}

const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([\w-]+)\$([\w-]+)$/;

/** Constant-time comparison; false for a malformed stored value. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = PHC.exec(stored);
  if (!match) return false;
  const [, ln, r, p, salt, hash] = match;
  const expected = Buffer.from(hash!, "base64url");
  const actual = await derive(password, Buffer.from(salt!, "base64url"), { ln: Number(ln), r: Number(r), p: Number(p) }, expected.length);
  return timingSafeEqual(actual, expected);
}
