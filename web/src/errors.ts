import type { CombinedError } from "@urql/core";

/** Codes whose server message is not meant for a person, with the sentence shown instead. */
const SENTENCES: Record<string, string> = {
  INTERNAL_SERVER_ERROR: "Something went wrong on the server. Try again; if it keeps happening, tell the person who runs this server.",
  GRAPHQL_VALIDATION_FAILED: "This page sent a request the server does not understand. Reload the page; if it keeps happening, the app and the server are out of step.",
  GRAPHQL_PARSE_FAILED: "This page sent a request the server does not understand. Reload the page.",
  BAD_REQUEST: "The server could not read the request. Reload the page and try again.",
};

export const NETWORK_ERROR = "The server cannot be reached. Check that it is running and your connection works, then try again.";

/** The error's code, from the first GraphQL error. */
export function errorCode(error: CombinedError | null | undefined): string | null {
  const code = error?.graphQLErrors[0]?.extensions["code"];
  return typeof code === "string" ? code : null;
}

/**
 * What to tell a person about a failed request: the server's own message (a full sentence that
 * says what to do), or a sentence for the codes that carry none; never a code or a stack.
 */
export function errorSentence(error: CombinedError | null | undefined): string | null {
  if (!error) return null;
  const first = error.graphQLErrors[0];
  if (!first) return NETWORK_ERROR;
  const code = errorCode(error);
  return (code && SENTENCES[code]) || first.message;
}
