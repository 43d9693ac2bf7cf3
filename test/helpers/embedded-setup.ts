import { openDatabase } from "../../src/db/client.js";
import { integrations } from "../../src/db/schema.js";
import { createCalDAVAccess } from "../../src/integrations/caldav-access.js";
import { loadCredentialCipher } from "../../src/integrations/credentials.js";
import { createLogger } from "../../src/logger.js";
import { createServices } from "../../src/services.js";

/**
 * Prepares the embedded database in `dataDir` as a server process will find it: a user with an API
 * token and one integration, due for a scheduled sync now. The credentials key file is the one the
 * server reads.
 */
export async function seedEmbeddedIntegration(
  dataDir: string,
  calendar: { calendarUrl: string; username: string; password: string },
): Promise<{ token: string; integrationId: string }> {
  const database = await openDatabase({ kind: "pglite", dataDir });
  try {
    const services = createServices(database.db, {
      cipher: loadCredentialCipher({ key: null, dataDir }),
      caldav: createCalDAVAccess({ caldavAllowPrivateNetworks: true, caldavTimeoutMs: 10_000 }),
      log: createLogger("silent"),
    });
    const user = await services.users.create({ email: "owner@example.com" });
    const { token } = await services.users.createToken(user.id, "test");
    const integration = await services.integrations.configure(user.id, { ...calendar, lookbackDays: 3650, autoSyncIntervalMinutes: 5 });
    await database.db.update(integrations).set({ nextSyncAt: new Date(Date.now() - 1000) });
    return { token, integrationId: integration.id };
  } finally {
    await database.close();
  }
}
