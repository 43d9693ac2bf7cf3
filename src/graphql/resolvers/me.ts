import { Ctx, Extensions, Query, Resolver } from "type-graphql";
import type { GraphQLContext } from "../context.js";
import { DIRECT_EXECUTION } from "../direct-execution.js";
import { UserType } from "../types/user.js";

@Resolver()
export class MeResolver {
  @Query(() => UserType)
  @Extensions({ [DIRECT_EXECUTION]: true })
  me(@Ctx() ctx: GraphQLContext): UserType {
    return ctx.user;
  }
}
