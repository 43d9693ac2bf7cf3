import { AppError } from "../errors.js";
import type { GraphQLContext } from "./context.js";

/** Admin-only operations answer everyone else FORBIDDEN, whatever ids they name. */
export function requireAdmin(ctx: GraphQLContext): void {
  if (!ctx.user.isAdmin) throw new AppError("FORBIDDEN", "Only admins may do this: ask an admin of this server.");
}

/** The user a token operation acts on: the caller, or for admins anyone they name. */
export function tokenOwner(ctx: GraphQLContext, userId: string | null | undefined): string {
  if (userId == null || userId === ctx.user.id) return ctx.user.id;
  requireAdmin(ctx);
  return userId;
}
