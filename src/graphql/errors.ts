import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import { AppError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { GraphQLContext } from "./context.js";

/**
 * Codes clients may see (docs/api.md). Apollo's own request-level codes (GRAPHQL_PARSE_FAILED,
 * GRAPHQL_VALIDATION_FAILED, BAD_USER_INPUT for variables) pass through unchanged.
 */
const PASS_THROUGH = new Set([
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "BAD_USER_INPUT",
  "CONFLICT",
  "CONNECTION_FAILED",
  "QUERY_TOO_COMPLEX",
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "OPERATION_RESOLUTION_FAILURE",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
]);

/** Apollo hands formatError no context: the request an error belongs to is remembered here. */
const requestIds = new WeakMap<object, string>();

export function rememberRequestId(error: unknown, requestId: string): void {
  if (typeof error === "object" && error !== null) requestIds.set(error, requestId);
}

/** The request id of an error, or of the error it wraps (Apollo wraps a failed context's error). */
function requestIdOfError(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  return requestIds.get(error) ?? (error instanceof GraphQLError && error.originalError ? requestIds.get(error.originalError) : undefined);
}

/** Tags every error of a request with its id before formatError sees it. */
export const requestIdPlugin: ApolloServerPlugin<GraphQLContext> = {
  async requestDidStart({ contextValue }) {
    return {
      async didEncounterErrors({ errors }) {
        for (const error of errors) rememberRequestId(error, contextValue.requestId);
      },
    };
  },
};

/**
 * Turns domain errors into coded GraphQL errors and hides everything else: the client gets
 * INTERNAL_SERVER_ERROR with the request id; the log gets the stack.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown, log: Logger): GraphQLFormattedError {
  const requestId = requestIdOfError(error);
  const original = unwrapResolverError(error);
  if (original instanceof AppError) {
    return {
      message: original.message,
      path: formatted.path,
      locations: formatted.locations,
      extensions: { code: original.code, ...(original.field ? { field: original.field } : {}), ...original.details },
    };
  }
  const code = formatted.extensions?.code;
  if (typeof code === "string" && PASS_THROUGH.has(code) && (original instanceof GraphQLError || original === error)) {
    const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  log.error({ err: original, requestId, path: formatted.path }, "internal error");
  return {
    message: `Internal server error (request id ${requestId ?? "unknown"})`,
    path: formatted.path,
    locations: formatted.locations,
    extensions: { code: "INTERNAL_SERVER_ERROR", requestId },
  };
}
