import { Arg, Ctx, Mutation, Query, Resolver } from "type-graphql";
import type { GraphQLContext } from "../context.js";
import { requireAdmin, tokenOwner } from "../authorize.js";
import { UUID } from "../scalars.js";
import { ApiTokenType, CreatedApiToken, SessionType } from "../types/account.js";
import { CreateUserInput, UserType } from "../types/user.js";

/** Tokens and sessions: everyone's own; admins also anyone's tokens, and the users themselves. */
@Resolver()
export class AccountResolver {
  @Query(() => [ApiTokenType], { description: "API tokens, revoked ones too, newest first: the caller's, or (admins) the named user's." })
  async apiTokens(@Ctx() ctx: GraphQLContext, @Arg("userId", () => UUID, { nullable: true }) userId?: string | null): Promise<ApiTokenType[]> {
    const owner = tokenOwner(ctx, userId);
    if (owner !== ctx.user.id) await ctx.services.users.get(owner);
    return ctx.services.users.listTokens(owner);
  }

  @Mutation(() => CreatedApiToken, { description: "A new API token for the caller, or (admins) for the named user." })
  async createApiToken(
    @Ctx() ctx: GraphQLContext,
    @Arg("name", () => String) name: string,
    @Arg("userId", () => UUID, { nullable: true }) userId?: string | null,
  ): Promise<CreatedApiToken> {
    const owner = tokenOwner(ctx, userId);
    if (owner !== ctx.user.id) await ctx.services.users.get(owner);
    const { token, record } = await ctx.services.users.createToken(owner, name);
    return { token, apiToken: record };
  }

  @Mutation(() => ApiTokenType, { description: "Revokes a token at once: the caller's own, or (admins) anyone's." })
  revokeApiToken(@Ctx() ctx: GraphQLContext, @Arg("id", () => UUID) id: string): Promise<ApiTokenType> {
    return ctx.services.users.revokeTokenById(ctx.user.isAdmin ? null : ctx.user.id, id);
  }

  @Query(() => [SessionType], { description: "The caller's signed-in browsers, most recently used first." })
  async sessions(@Ctx() ctx: GraphQLContext): Promise<SessionType[]> {
    const rows = await ctx.services.users.sessions.list(ctx.user.id);
    return rows.map((row) => ({ ...row, current: row.id === ctx.auth.sessionId }));
  }

  @Mutation(() => Boolean, { description: "Signs one of the caller's browsers out at once." })
  async revokeSession(@Ctx() ctx: GraphQLContext, @Arg("id", () => UUID) id: string): Promise<boolean> {
    await ctx.services.users.sessions.revoke(ctx.user.id, id);
    return true;
  }

  @Query(() => [UserType], { description: "Admins only: every user, oldest first." })
  users(@Ctx() ctx: GraphQLContext): Promise<UserType[]> {
    requireAdmin(ctx);
    return ctx.services.users.list();
  }

  @Mutation(() => UserType, { description: "Admins only: adds a user with an initial password, in the admin's time zone unless given." })
  createUser(@Ctx() ctx: GraphQLContext, @Arg("input", () => CreateUserInput) input: CreateUserInput): Promise<UserType> {
    requireAdmin(ctx);
    return ctx.services.users.create({ ...input, timezone: input.timezone ?? ctx.user.timezone });
  }

  @Mutation(() => UserType, { description: "Admins only: grants or takes admin rights. The last admin keeps them." })
  setUserAdmin(@Ctx() ctx: GraphQLContext, @Arg("userId", () => UUID) userId: string, @Arg("isAdmin", () => Boolean) isAdmin: boolean): Promise<UserType> {
    requireAdmin(ctx);
    return ctx.services.users.setAdmin(userId, isAdmin);
  }

  @Mutation(() => UserType, { description: "Admins only: the user's tokens and sessions stop working at once." })
  disableUser(@Ctx() ctx: GraphQLContext, @Arg("userId", () => UUID) userId: string): Promise<UserType> {
    requireAdmin(ctx);
    return ctx.services.users.disable(ctx.user.id, userId);
  }
}
