import type { Db } from "./db/client.js";
import type { Config } from "./config.js";
import { createCalDAVAccess, type CalDAVAccess } from "./integrations/caldav-access.js";
import { loadCredentialCipher, type CredentialCipher } from "./integrations/credentials.js";
import { IntegrationService } from "./integrations/service.js";
import type { ScryptParameters } from "./auth/passwords.js";
import type { Logger } from "./logger.js";
import type { Metrics } from "./metrics.js";
import { ProjectService } from "./projects/service.js";
import { SyncEngine } from "./sync/engine.js";
import { ImportedEntryService } from "./sync/imported-entries.js";
import { SyncRunStore } from "./sync/runs.js";
import { SyncService } from "./sync/service.js";
import { TimeEntryService } from "./time-entries/service.js";
import { UserService } from "./users/service.js";

/** The domain layer, wired once per process. Resolvers and the CLI reach data only through it. */
export interface Services {
  users: UserService;
  projects: ProjectService;
  timeEntries: TimeEntryService;
  /** Reset and restore of imported entries. */
  importedEntries: ImportedEntryService;
  integrations: IntegrationService;
  sync: SyncService;
  syncRuns: SyncRunStore;
}

export interface ServiceDeps {
  cipher: CredentialCipher;
  caldav: CalDAVAccess;
  log: Logger;
  metrics?: Metrics;
  /** The sync's notion of now (its lookback/lookahead window); tests move it to slide the window. */
  clock?: () => Date;
  /** Password hashing cost; default OWASP's. Tests that sign in often lower it. */
  passwordHashing?: ScryptParameters;
}

export function createServices(db: Db, deps: ServiceDeps): Services {
  const projects = new ProjectService(db);
  const integrations = new IntegrationService(db, projects, deps.cipher, deps.caldav, deps.log);
  const syncRuns = new SyncRunStore(db);
  const users = new UserService(db, { scrypt: deps.passwordHashing });
  const engine = new SyncEngine({ db, caldav: deps.caldav, integrations, projects, users, runs: syncRuns, log: deps.log, clock: deps.clock });
  return {
    users,
    projects,
    timeEntries: new TimeEntryService(db, projects),
    importedEntries: new ImportedEntryService({ db, integrations, projects, users, clock: deps.clock }),
    integrations,
    sync: new SyncService(integrations, syncRuns, engine, (run) => deps.metrics?.recordRun(run)),
    syncRuns,
  };
}

/** The dependencies as the server and the CLI configure them. */
export function serviceDepsFromConfig(config: Config, log: Logger, metrics?: Metrics): ServiceDeps {
  return {
    metrics,
    cipher: loadCredentialCipher({ key: config.credentialsKey, previousKeys: config.credentialsPreviousKeys, dataDir: config.dataDir }),
    caldav: createCalDAVAccess(config, { onRequest: metrics && ((info) => metrics.recordRequest(info)) }),
    log,
  };
}
