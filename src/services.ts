import type { Db } from "./db/client.js";
import { ProjectService } from "./projects/service.js";
import { TimeEntryService } from "./time-entries/service.js";
import { UserService } from "./users/service.js";

/** The domain layer, wired once per process. Resolvers and the CLI reach data only through it. */
export interface Services {
  users: UserService;
  projects: ProjectService;
  timeEntries: TimeEntryService;
}

export function createServices(db: Db): Services {
  const projects = new ProjectService(db);
  return {
    users: new UserService(db),
    projects,
    timeEntries: new TimeEntryService(db, projects),
  };
}
