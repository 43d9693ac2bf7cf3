import type { Project } from "../projects/service.js";
import type { Services } from "../services.js";
import type { SyncRun } from "../sync/runs.js";
import type { ExternalEvent } from "../time-entries/service.js";
import { BatchLoader } from "./batch-loader.js";

/** Per-request batching of fields asked for on every item of a list, each scoped to the caller. */
export interface Loaders {
  externalEvent: BatchLoader<string, ExternalEvent>;
  lastSyncRun: BatchLoader<string, SyncRun>;
  project: BatchLoader<string, Project>;
}

/** `lastSyncRun` takes integration ids the caller's own resolvers handed out, so it needs no user. */
export function createLoaders(services: Services, userId: string): Loaders {
  return {
    externalEvent: new BatchLoader((ids: string[]) => services.timeEntries.externalEvents(userId, ids)),
    lastSyncRun: new BatchLoader((ids: string[]) => services.sync.latestOf(ids)),
    project: new BatchLoader((ids: string[]) => services.projects.getMany(userId, ids)),
  };
}
