import { and, asc, count, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { isUniqueViolation } from "../db/errors.js";
import { integrationCalendars, integrations, projects, timeEntries } from "../db/schema.js";
import { AppError, badInput, notFound } from "../errors.js";
import { NAME_MAX_LENGTH, validateText } from "../users/validation.js";

export type Project = typeof projects.$inferSelect;

export interface UpdateProjectInput {
  name?: string | null;
  archived?: boolean | null;
}

/** What happens to the entries and default-project settings of a project being deleted. */
export type ProjectUsesOnDelete = { action: "MOVE_TO"; projectId: string } | { action: "CLEAR" };

/** What still refers to a project. */
export interface ProjectUses {
  entries: number;
  integrations: number;
  calendars: number;
}

export class ProjectService {
  constructor(private readonly db: Db) {}

  list(userId: string, includeArchived: boolean): Promise<Project[]> {
    return this.db
      .select()
      .from(projects)
      .where(and(eq(projects.userId, userId), includeArchived ? undefined : eq(projects.archived, false)))
      .orderBy(asc(projects.name), asc(projects.id));
  }

  async get(userId: string, id: string): Promise<Project> {
    const [project] = await this.db
      .select()
      .from(projects)
      .where(and(eq(projects.userId, userId), eq(projects.id, id)));
    if (!project) throw notFound("Project");
    return project;
  }

  /** The caller's projects among `ids`, in one query (TimeEntry.project of a page of entries). */
  async getMany(userId: string, ids: string[]): Promise<Map<string, Project>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .select()
      .from(projects)
      .where(and(eq(projects.userId, userId), inArray(projects.id, ids)));
    return new Map(rows.map((project) => [project.id, project]));
  }

  /** For inputs that reference a project: unknown, foreign and archived projects are bad input. */
  async requireAssignable(userId: string, id: string, field: string): Promise<Project> {
    const [project] = await this.db
      .select()
      .from(projects)
      .where(and(eq(projects.userId, userId), eq(projects.id, id)));
    if (!project) throw badInput(field, "no such project");
    if (project.archived) throw badInput(field, `project "${project.name}" is archived`);
    return project;
  }

  async create(userId: string, name: string): Promise<Project> {
    const cleanName = validateText("name", name, NAME_MAX_LENGTH);
    try {
      const [project] = await this.db.insert(projects).values({ userId, name: cleanName }).returning();
      return project!;
    } catch (error) {
      throw await this.translate(error, userId, cleanName);
    }
  }

  async update(userId: string, id: string, input: UpdateProjectInput): Promise<Project> {
    const changes: Partial<Project> = { updatedAt: new Date() };
    if (input.name != null) changes.name = validateText("name", input.name, NAME_MAX_LENGTH);
    if (input.archived != null) changes.archived = input.archived;
    try {
      const [project] = await this.db
        .update(projects)
        .set(changes)
        .where(and(eq(projects.userId, userId), eq(projects.id, id)))
        .returning();
      if (!project) throw notFound("Project");
      return project;
    } catch (error) {
      throw await this.translate(error, userId, changes.name);
    }
  }

  /**
   * Deletes the project in one transaction. While entries or integration/calendar defaults use it,
   * `uses` must say what happens to them: moved to another of the user's projects, or cleared.
   * Imported entries count as having their project edited afterwards, as with updateTimeEntry:
   * otherwise the next sync would match them again and undo the move.
   */
  async delete(userId: string, id: string, uses: ProjectUsesOnDelete | null): Promise<void> {
    if (uses?.action === "MOVE_TO") {
      if (uses.projectId === id) throw badInput("moveToProjectId", "must be another project than the one deleted");
      await this.requireAssignable(userId, uses.projectId, "moveToProjectId");
    }
    await this.db.transaction(async (tx) => {
      // Locks the row: entries being written for it (a sync) wait, and are counted or refused.
      const [project] = await tx
        .select({ name: projects.name })
        .from(projects)
        .where(and(eq(projects.userId, userId), eq(projects.id, id)))
        .for("update");
      if (!project) throw notFound("Project");
      if (uses === null) {
        const counts = await this.uses(tx, userId, id);
        if (counts.entries + counts.integrations + counts.calendars > 0) throw stillUsed(project.name, counts);
      } else {
        const target = uses.action === "MOVE_TO" ? uses.projectId : null;
        await tx
          .update(timeEntries)
          .set({ projectId: target, projectEdited: sql`${timeEntries.projectEdited} or ${timeEntries.source} = 'auto'`, updatedAt: new Date() })
          .where(and(eq(timeEntries.userId, userId), eq(timeEntries.projectId, id)));
        await tx
          .update(integrations)
          .set({ defaultProjectId: target, updatedAt: new Date() })
          .where(and(eq(integrations.userId, userId), eq(integrations.defaultProjectId, id)));
        await tx
          .update(integrationCalendars)
          .set({ defaultProjectId: target, updatedAt: new Date() })
          .where(and(eq(integrationCalendars.defaultProjectId, id), inArray(integrationCalendars.integrationId, ownIntegrationIds(tx, userId))));
      }
      await tx.delete(projects).where(and(eq(projects.userId, userId), eq(projects.id, id)));
    });
  }

  private async uses(db: Db, userId: string, id: string): Promise<ProjectUses> {
    const [[entries], [integrationRows], [calendars]] = await Promise.all([
      db.select({ n: count() }).from(timeEntries).where(and(eq(timeEntries.userId, userId), eq(timeEntries.projectId, id))),
      db.select({ n: count() }).from(integrations).where(and(eq(integrations.userId, userId), eq(integrations.defaultProjectId, id))),
      db
        .select({ n: count() })
        .from(integrationCalendars)
        .where(and(eq(integrationCalendars.defaultProjectId, id), inArray(integrationCalendars.integrationId, ownIntegrationIds(db, userId)))),
    ]);
    return { entries: entries?.n ?? 0, integrations: integrationRows?.n ?? 0, calendars: calendars?.n ?? 0 };
  }

  /** A name taken (ignoring case) is a CONFLICT that names the existing project as it is spelled. */
  private async translate(error: unknown, userId: string, name: string | undefined): Promise<unknown> {
    if (name !== undefined && isUniqueViolation(error, "projects_user_name_ci")) {
      const [existing] = await this.db
        .select({ name: projects.name })
        .from(projects)
        .where(and(eq(projects.userId, userId), sql`lower(${projects.name}) = lower(${name})`));
      return new AppError("CONFLICT", `You already have a project named "${existing?.name ?? name}". Choose another name, or use that project.`);
    }
    return error;
  }
}

function ownIntegrationIds(db: Db, userId: string) {
  return db.select({ id: integrations.id }).from(integrations).where(eq(integrations.userId, userId));
}

/** CONFLICT naming what uses the project, with the counts in the extensions for a client's dialog. */
function stillUsed(name: string, uses: ProjectUses): AppError {
  const parts = [
    uses.entries > 0 ? plural(uses.entries, "time entry", "time entries") : null,
    uses.integrations > 0 ? `the default of ${plural(uses.integrations, "integration", "integrations")}` : null,
    uses.calendars > 0 ? `the default of ${plural(uses.calendars, "calendar", "calendars")}` : null,
  ].filter((part) => part !== null);
  return new AppError(
    "CONFLICT",
    `Project "${name}" is still used by ${parts.join(" and ")}: delete it with entries: MOVE_TO and moveToProjectId to move them to another project, or with entries: CLEAR to leave them without a project.`,
    undefined,
    { entryCount: uses.entries, integrationCount: uses.integrations, calendarCount: uses.calendars },
  );
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
