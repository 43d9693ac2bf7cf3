import { and, asc, eq, inArray } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { isUniqueViolation } from "../db/errors.js";
import { projects } from "../db/schema.js";
import { AppError, badInput, notFound } from "../errors.js";
import { NAME_MAX_LENGTH, validateText } from "../users/validation.js";

export type Project = typeof projects.$inferSelect;

export interface UpdateProjectInput {
  name?: string | null;
  archived?: boolean | null;
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
      throw this.translate(error, cleanName);
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
      throw this.translate(error, changes.name);
    }
  }

  private translate(error: unknown, name: string | undefined): unknown {
    if (isUniqueViolation(error, "projects_user_name_ci")) {
      return new AppError("CONFLICT", `You already have a project named "${name}"`);
    }
    return error;
  }
}
