import { Client, cacheExchange, fetchExchange } from "@urql/core";

/**
 * A client of this server's /graphql. Every request is a JSON POST with the session cookie: the
 * server reads the cookie on nothing else (a GET could come from another site's link).
 */
export function createApiClient(): Client {
  return new Client({
    url: "/graphql",
    exchanges: [cacheExchange, fetchExchange],
    preferGetMethod: false,
    fetchOptions: { credentials: "same-origin" },
    requestPolicy: "cache-and-network",
  });
}
