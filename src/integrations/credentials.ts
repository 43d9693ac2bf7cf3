/**
 * Calendar passwords at rest: AES-256-GCM with a random 96-bit IV per value (NIST SP 800-38D),
 * the integration id as associated data (a ciphertext copied to another row does not decrypt),
 * and the key's id in the value, so keys can rotate: values written under an older key still
 * decrypt while they are re-encrypted (`npm run cli -- keys rotate`).
 *
 *   ck1.<key id>.<iv>.<auth tag>.<ciphertext>      (base64url parts)
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const FORMAT = "ck1";

export class CredentialsKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CredentialsKeyError";
  }
}

interface Key {
  id: string;
  bytes: Buffer;
}

/** The id is derived from the key itself, so it needs no bookkeeping and reveals nothing. */
function toKey(bytes: Buffer): Key {
  if (bytes.length !== 32) throw new CredentialsKeyError("a credentials key must be 32 bytes");
  return { id: createHash("sha256").update(bytes).digest("base64url").slice(0, 8), bytes };
}

export class CredentialCipher {
  private readonly current: Key;
  private readonly byId: Map<string, Key>;

  /** `current` encrypts; `previous` keys only decrypt (during a rotation). */
  constructor(current: Buffer, previous: Buffer[] = []) {
    this.current = toKey(current);
    this.byId = new Map([this.current, ...previous.map(toKey)].map((k) => [k.id, k]));
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  encrypt(plaintext: string, rowId: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.current.bytes, iv);
    cipher.setAAD(Buffer.from(rowId));
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return [FORMAT, this.current.id, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), body.toString("base64url")].join(".");
  }

  decrypt(value: string, rowId: string): string {
    const [format, keyId, iv, tag, body] = value.split(".");
    if (format !== FORMAT || !keyId || !iv || !tag || body === undefined) throw new CredentialsKeyError("stored credential has an unknown format");
    const key = this.byId.get(keyId);
    if (!key) throw new CredentialsKeyError(`stored credential was encrypted with key ${keyId}, which is not configured`);
    const decipher = createDecipheriv("aes-256-gcm", key.bytes, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(rowId));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
  }

  /** Whether a stored value was written under an older key and should be re-encrypted. */
  needsRotation(value: string): boolean {
    return value.split(".")[1] !== this.current.id;
  }
}

export const KEY_FILE = "credentials.key";

/**
 * The key from CREDENTIALS_KEY (base64); else, for the zero-setup embedded default, a key file in
 * DATA_DIR, generated with mode 0600 on first start. Several instances on one PostgreSQL must share
 * CREDENTIALS_KEY (docs/operations.md).
 */
export function loadCredentialCipher(options: { key: string | null; previousKeys?: string[]; dataDir: string }): CredentialCipher {
  const previous = (options.previousKeys ?? []).map((k) => Buffer.from(k, "base64"));
  if (options.key) return new CredentialCipher(Buffer.from(options.key, "base64"), previous);
  const file = path.join(options.dataDir, KEY_FILE);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(options.dataDir, { recursive: true });
    try {
      fs.writeFileSync(file, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600, flag: "wx" });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  const bytes = Buffer.from(fs.readFileSync(file, "utf8").trim(), "base64");
  if (bytes.length !== 32) throw new CredentialsKeyError(`${file} does not hold a 32-byte base64 key`);
  return new CredentialCipher(bytes, previous);
}
