import { Arg, Ctx, Extensions, Mutation, Query, Resolver } from "type-graphql";
import type { GraphQLContext } from "../context.js";
import { DIRECT_EXECUTION } from "../direct-execution.js";
import { badInput } from "../../errors.js";
import type { ProjectUsesOnDelete } from "../../projects/service.js";
import { UUID } from "../scalars.js";
import { CreateProjectInput, ProjectType, ProjectUsesOnDeleteEnum, UpdateProjectInput } from "../types/project.js";

@Resolver(() => ProjectType)
export class ProjectResolver {
  @Query(() => [ProjectType], { description: "The caller's projects, by name." })
  @Extensions({ [DIRECT_EXECUTION]: true })
  projects(
    @Ctx() ctx: GraphQLContext,
    @Arg("includeArchived", () => Boolean, { defaultValue: false }) includeArchived: boolean,
  ): Promise<ProjectType[]> {
    return ctx.services.projects.list(ctx.user.id, includeArchived);
  }

  @Mutation(() => ProjectType)
  createProject(@Ctx() ctx: GraphQLContext, @Arg("input", () => CreateProjectInput) input: CreateProjectInput): Promise<ProjectType> {
    return ctx.services.projects.create(ctx.user.id, input.name);
  }

  @Mutation(() => ProjectType, { description: "Rename or (un)archive a project." })
  updateProject(@Ctx() ctx: GraphQLContext, @Arg("input", () => UpdateProjectInput) input: UpdateProjectInput): Promise<ProjectType> {
    return ctx.services.projects.update(ctx.user.id, input.id, input);
  }

  @Mutation(() => Boolean, {
    description:
      "Deletes a project in one step. Refused with CONFLICT while time entries or default-project settings use it, unless `entries` says what happens to them. Imported entries moved or cleared count as edited, so syncs keep your choice.",
  })
  async deleteProject(
    @Ctx() ctx: GraphQLContext,
    @Arg("id", () => UUID) id: string,
    @Arg("entries", () => ProjectUsesOnDeleteEnum, { nullable: true }) entries: ProjectUsesOnDeleteEnum | null,
    @Arg("moveToProjectId", () => UUID, { nullable: true, description: "With entries: MOVE_TO, the project that takes them." }) moveToProjectId: string | null,
  ): Promise<boolean> {
    await ctx.services.projects.delete(ctx.user.id, id, usesOnDelete(entries, moveToProjectId));
    return true;
  }
}

function usesOnDelete(entries: ProjectUsesOnDeleteEnum | null, moveToProjectId: string | null): ProjectUsesOnDelete | null {
  if (entries === ProjectUsesOnDeleteEnum.MOVE_TO) {
    if (!moveToProjectId) throw badInput("moveToProjectId", "is required with entries: MOVE_TO; give the project that takes the entries");
    return { action: "MOVE_TO", projectId: moveToProjectId };
  }
  if (moveToProjectId) throw badInput("moveToProjectId", "goes only with entries: MOVE_TO");
  return entries === ProjectUsesOnDeleteEnum.CLEAR ? { action: "CLEAR" } : null;
}
