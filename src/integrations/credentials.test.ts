import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CredentialCipher, KEY_FILE, loadCredentialCipher } from "./credentials.js";

const rowId = "2f1c3a54-8a8e-4d0c-9f0e-6f3bf1b0d2aa";

describe("CredentialCipher", () => {
  it("round-trips, with a fresh IV every time and no plaintext in the value", () => {
    const cipher = new CredentialCipher(randomBytes(32));
    const a = cipher.encrypt("s3cret-päss", rowId);
    const b = cipher.encrypt("s3cret-päss", rowId);
    expect(a).not.toBe(b);
    expect(a).not.toContain("s3cret");
    expect(a).toMatch(/^ck1\.[\w-]{8}\./);
    expect(cipher.decrypt(a, rowId)).toBe("s3cret-päss");
  });

  it("refuses a value moved to another row, or tampered with", () => {
    const cipher = new CredentialCipher(randomBytes(32));
    const value = cipher.encrypt("secret", rowId);
    expect(() => cipher.decrypt(value, "another-row")).toThrow();
    const parts = value.split(".");
    parts[4] = Buffer.from("xxxxxx").toString("base64url");
    expect(() => cipher.decrypt(parts.join("."), rowId)).toThrow();
  });

  it("decrypts values of a previous key during rotation and says they need re-encryption", () => {
    const oldKey = randomBytes(32);
    const old = new CredentialCipher(oldKey).encrypt("secret", rowId);
    const rotated = new CredentialCipher(randomBytes(32), [oldKey]);
    expect(rotated.decrypt(old, rowId)).toBe("secret");
    expect(rotated.needsRotation(old)).toBe(true);
    expect(rotated.needsRotation(rotated.encrypt("secret", rowId))).toBe(false);
    expect(() => new CredentialCipher(randomBytes(32)).decrypt(old, rowId)).toThrow(/not configured/);
  });
});

describe("loadCredentialCipher", () => {
  it("generates a key file with mode 0600 once and reuses it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tt-key-"));
    try {
      const first = loadCredentialCipher({ key: null, dataDir: dir });
      const value = first.encrypt("secret", rowId);
      expect(fs.statSync(path.join(dir, KEY_FILE)).mode & 0o777).toBe(0o600);
      expect(loadCredentialCipher({ key: null, dataDir: dir }).decrypt(value, rowId)).toBe("secret");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("prefers CREDENTIALS_KEY and writes no file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tt-key-"));
    try {
      const key = randomBytes(32).toString("base64");
      const cipher = loadCredentialCipher({ key, dataDir: dir });
      expect(new CredentialCipher(Buffer.from(key, "base64")).currentKeyId).toBe(cipher.currentKeyId);
      expect(fs.existsSync(path.join(dir, KEY_FILE))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
