/**
 * `npm run cli -- keys rotate`: re-encrypts every stored calendar password under the current
 * credentials key. Run it after setting the new key as CREDENTIALS_KEY and the old one in
 * CREDENTIALS_PREVIOUS_KEYS; the server reads both meanwhile, so it can keep running (PostgreSQL).
 * Each row is updated only if it still holds the value read, so a password changed concurrently
 * through the API is never overwritten with an older one.
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { integrations } from "../db/schema.js";
import type { CredentialCipher } from "../integrations/credentials.js";

export interface RotationReport {
  /** Re-encrypted under the current key. */
  rotated: number;
  /** Already under the current key. */
  current: number;
  /** Could not be decrypted with any configured key (ids listed; values left untouched). */
  failed: string[];
  /** Changed by someone else between read and write; already re-encrypted by that writer. */
  skipped: number;
}

export async function rotateCredentials(db: Db, cipher: CredentialCipher): Promise<RotationReport> {
  const report: RotationReport = { rotated: 0, current: 0, failed: [], skipped: 0 };
  const rows = await db.select({ id: integrations.id, value: integrations.passwordCiphertext }).from(integrations);
  for (const row of rows) {
    if (!cipher.needsRotation(row.value)) {
      report.current++;
      continue;
    }
    let password: string;
    try {
      password = cipher.decrypt(row.value, row.id);
    } catch {
      report.failed.push(row.id);
      continue;
    }
    const updated = await db
      .update(integrations)
      .set({ passwordCiphertext: cipher.encrypt(password, row.id) })
      .where(and(eq(integrations.id, row.id), eq(integrations.passwordCiphertext, row.value)))
      .returning({ id: integrations.id });
    if (updated.length === 1) report.rotated++;
    else report.skipped++;
  }
  return report;
}

export function describeRotation(report: RotationReport, keyId: string): string {
  const lines = [`Credentials key ${keyId}: ${report.rotated} re-encrypted, ${report.current} already current${report.skipped ? `, ${report.skipped} changed meanwhile (left as written)` : ""}.`];
  if (report.failed.length > 0) {
    lines.push(
      `${report.failed.length} could not be decrypted with CREDENTIALS_KEY or CREDENTIALS_PREVIOUS_KEYS and were left unchanged (integrations ${report.failed.join(", ")}); add the missing key to CREDENTIALS_PREVIOUS_KEYS and run again, or have their owners re-enter the password.`,
    );
  }
  return lines.join("\n");
}
