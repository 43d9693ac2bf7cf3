import { Client, cacheExchange, fetchExchange, mapExchange } from "@urql/core";
import { errorCode } from "./errors.js";

/**
 * A client of this server's /graphql. Every request is a JSON POST with the session cookie: the
 * server reads the cookie on nothing else (a GET could come from another site's link).
 * `onSignedOut` runs when an answer says the session is gone (expired, or ended elsewhere).
 */
export function createApiClient(onSignedOut: () => void): Client {
  return new Client({
    url: "/graphql",
    exchanges: [
      mapExchange({
        onError(error) {
          if (errorCode(error) === "UNAUTHENTICATED") onSignedOut();
        },
      }),
      cacheExchange,
      fetchExchange,
    ],
    preferGetMethod: false,
    fetchOptions: { credentials: "same-origin" },
    requestPolicy: "cache-and-network",
  });
}
