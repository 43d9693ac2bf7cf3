import { Arg, Ctx, Extensions, Mutation, Query, Resolver } from "type-graphql";
import type { GraphQLContext } from "../context.js";
import { DIRECT_EXECUTION } from "../direct-execution.js";
import { UpdateMeInput, UpdateMePayload, UserType } from "../types/user.js";

@Resolver()
export class MeResolver {
  @Query(() => UserType)
  @Extensions({ [DIRECT_EXECUTION]: true })
  me(@Ctx() ctx: GraphQLContext): UserType {
    return ctx.user;
  }

  @Mutation(() => UpdateMePayload, { description: "Changes the caller's name, e-mail or time zone." })
  async updateMe(@Ctx() ctx: GraphQLContext, @Arg("input", () => UpdateMeInput) input: UpdateMeInput): Promise<UpdateMePayload> {
    const { services } = ctx;
    const { user, previousTimezone } = await services.users.updateProfile(ctx.user.id, input);
    const zoneChanged = user.timezone !== previousTimezone;
    const moved = zoneChanged && input.moveIntegrations ? await services.integrations.onTimezone(user.id, previousTimezone, user.timezone) : [];
    const left = zoneChanged ? await services.integrations.onTimezone(user.id, previousTimezone) : [];
    return { user, movedIntegrationIds: moved.map((i) => i.id), integrationIdsOnPreviousTimezone: left.map((i) => i.id) };
  }

  @Mutation(() => Boolean, { description: "Sets a new password; needs the current one. Ends the caller's other sessions." })
  async changePassword(
    @Ctx() ctx: GraphQLContext,
    @Arg("currentPassword", () => String) currentPassword: string,
    @Arg("newPassword", () => String) newPassword: string,
  ): Promise<boolean> {
    await ctx.services.users.changePassword(ctx.user.id, currentPassword, newPassword, ctx.auth.sessionId ?? undefined);
    return true;
  }
}
