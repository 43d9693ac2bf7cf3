import { Arg, Ctx, Extensions, Mutation, Query, Resolver } from "type-graphql";
import type { GraphQLContext } from "../context.js";
import { DIRECT_EXECUTION } from "../direct-execution.js";
import { CreateProjectInput, ProjectType, UpdateProjectInput } from "../types/project.js";

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
}
