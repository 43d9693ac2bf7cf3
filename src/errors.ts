/**
 * Domain errors. Every error a caller can act on carries a code from the documented set
 * (docs/api.md); the GraphQL layer copies it to `extensions.code`. Anything else is an
 * internal error: logged with its request id, never shown to the client.
 */
export type AppErrorCode =
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "BAD_USER_INPUT"
  | "CONFLICT"
  /** A CalDAV server could not be used; `errorCode` in the extensions says why. */
  | "CONNECTION_FAILED"
  /** Too many requests of one kind from one user; `retryAfterSeconds` in the extensions says when to retry. */
  | "RATE_LIMITED";

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    /** The input field at fault, for BAD_USER_INPUT. */
    readonly field?: string,
    /** More machine-readable facts for `extensions` (e.g. CONNECTION_FAILED's errorCode). */
    readonly details?: Record<string, string | number>,
  ) {
    super(message);
    this.name = "AppError";
  }
}

export const badInput = (field: string, message: string) => new AppError("BAD_USER_INPUT", message, field);

/** Deliberately the same for "does not exist" and "belongs to someone else": never reveal existence. */
export const notFound = (what: string) => new AppError("NOT_FOUND", `${what} not found`);
