import { Arg, Ctx, Extensions, Mutation, Resolver } from "type-graphql";
import { AppError } from "../../errors.js";
import type { GraphQLContext } from "../context.js";
import { OPEN_TO_ANYONE } from "../sign-in-guard.js";
import { UserType } from "../types/user.js";

/** The one answer for an unknown e-mail, a wrong password, no password set, and a disabled user. */
export const SIGN_IN_FAILED = "The e-mail address or the password is wrong: check both and try again.";

@Resolver()
export class SignInResolver {
  @Mutation(() => UserType, {
    description: "Checks the e-mail and password and starts a session: the answer sets an HttpOnly session cookie. Failed attempts are rate-limited.",
  })
  @Extensions({ [OPEN_TO_ANYONE]: true })
  async signIn(@Ctx() ctx: GraphQLContext, @Arg("email", () => String) email: string, @Arg("password", () => String) password: string): Promise<UserType> {
    refuseCrossSite(ctx);
    // Every attempt takes from both buckets; a successful one gives back (only failures count).
    const keys = [`account\u0000${email.trim().toLowerCase()}`, `address\u0000${ctx.exchange.clientAddress}`];
    const taken: string[] = [];
    for (const key of keys) {
      const decision = ctx.signInLimiter.take(key);
      if (!decision.allowed) {
        for (const t of taken) ctx.signInLimiter.refund(t);
        ctx.log.warn({ retryAfterSeconds: decision.retryAfterSeconds, limit: key.slice(0, key.indexOf("\u0000")) }, "sign-in rate limited");
        throw new AppError("RATE_LIMITED", `Too many failed sign-ins: try again in ${decision.retryAfterSeconds} s.`, undefined, {
          retryAfterSeconds: decision.retryAfterSeconds,
        });
      }
      taken.push(key);
    }
    const user = await ctx.services.users.verifyCredentials(email, password);
    if (!user) {
      ctx.log.info("sign-in failed");
      throw new AppError("UNAUTHENTICATED", SIGN_IN_FAILED);
    }
    for (const key of taken) ctx.signInLimiter.refund(key);
    const { secret } = await ctx.services.users.sessions.create(user.id, ctx.exchange.userAgent);
    ctx.exchange.setSessionCookie(secret);
    return user;
  }

  @Mutation(() => Boolean, { description: "Ends the caller's session and removes the cookie; false when the request came without one." })
  @Extensions({ [OPEN_TO_ANYONE]: true })
  async signOut(@Ctx() ctx: GraphQLContext): Promise<boolean> {
    refuseCrossSite(ctx);
    ctx.exchange.setSessionCookie(null);
    if (!ctx.auth.sessionId) return false;
    await ctx.services.users.sessions.revoke(ctx.user.id, ctx.auth.sessionId);
    return true;
  }
}

/** Another site's page must not sign a visitor in or out (login CSRF). */
function refuseCrossSite(ctx: GraphQLContext): void {
  if (ctx.exchange.site === "cross-site") {
    throw new AppError("FORBIDDEN", "Sign in from this server's own pages: requests from other sites are refused.");
  }
}
