import { Ctx, Query, Resolver } from "type-graphql";
import type { GraphQLContext } from "../context.js";
import { UserType } from "../types/user.js";

@Resolver()
export class MeResolver {
  @Query(() => UserType)
  me(@Ctx() ctx: GraphQLContext): UserType {
    return ctx.user;
  }
}
