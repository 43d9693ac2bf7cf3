import type { IncomingMessage, ServerResponse } from "node:http";
import { GraphQLError } from "graphql";
import { bearerToken } from "../auth/tokens.js";
import { createLoaders } from "../graphql/loaders.js";
import { RequestContext, type GraphQLContext, type RequestAuth } from "../graphql/context.js";
import { rememberRequestId } from "../graphql/errors.js";
import type { TokenBucketLimiter } from "../graphql/rate-limit.js";
import type { Logger } from "../logger.js";
import type { Services } from "../services.js";
import type { User } from "../users/service.js";
import { requestIdOf } from "./request-id.js";
import { clientAddress, isHttps, readSessionCookie, requestSite, sessionCookie, type ProxySettings } from "./session-cookie.js";

export interface ContextDeps {
  services: Services;
  log: Logger;
  proxy: ProxySettings;
  rateLimiter: TokenBucketLimiter;
  signInLimiter: TokenBucketLimiter;
}

/**
 * Builds a request's context from its credentials: a bearer token (API clients), else the session
 * cookie — only on a plain JSON POST (`cookieAllowed`) from this server's own origin — else nobody,
 * who may only sign in (src/graphql/sign-in-guard.ts).
 */
export function graphqlContextFactory(deps: ContextDeps) {
  const { services, log, proxy } = deps;
  return async (req: IncomingMessage, res: ServerResponse, cookieAllowed: boolean): Promise<GraphQLContext> => {
    const requestId = requestIdOf(res) ?? "unknown";
    const site = requestSite(req.headers, proxy);
    let user: User | null = null;
    let auth: RequestAuth = { via: "none", sessionId: null };
    const token = bearerToken(req.headers.authorization);
    const secret = cookieAllowed && site === "same-origin" ? readSessionCookie(req.headers) : null;
    // A failed context reaches formatError without one: the error carries its request id itself.
    const remember = (error: unknown) => {
      rememberRequestId(error, requestId);
      throw error;
    };
    if (token) {
      user = await services.users.authenticate(token).catch(remember);
      if (!user) {
        throw new GraphQLError("Missing or invalid API token: send Authorization: Bearer <token>", {
          extensions: { code: "UNAUTHENTICATED", http: { status: 401 } },
        });
      }
      auth = { via: "token", sessionId: null };
    } else if (secret) {
      const session = await services.users.sessions.authenticate(secret).catch(remember);
      if (session) {
        user = session.user;
        auth = { via: "session", sessionId: session.sessionId };
      }
    }
    return new RequestContext({
      user,
      auth,
      exchange: {
        clientAddress: clientAddress(req, proxy),
        userAgent: req.headers["user-agent"] ?? null,
        site,
        setSessionCookie: (value) => res.appendHeader("Set-Cookie", sessionCookie(value, isHttps(req, proxy))),
      },
      services,
      requestId,
      log,
      // An anonymous request reaches only signIn and signOut, which load nothing.
      loaders: createLoaders(services, user?.id ?? ""),
      rateLimiter: deps.rateLimiter,
      signInLimiter: deps.signInLimiter,
    });
  };
}
