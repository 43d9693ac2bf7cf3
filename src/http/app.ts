import http, { type ServerResponse } from "node:http";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { expressMiddleware } from "@as-integrations/express5";
import express, { type NextFunction, type Request, type Response } from "express";
import type { Config } from "../config.js";
import type { Database } from "../db/client.js";
import { directExecutionPlugin } from "../graphql/direct-execution.js";
import type { GraphQLContext } from "../graphql/context.js";
import { formatError, requestIdPlugin } from "../graphql/errors.js";
import { complexityLimitPlugin, operationShapeRule } from "../graphql/limits.js";
import { NO_RATE_LIMIT, SIGN_IN_RATE_LIMIT, TokenBucketLimiter, type RateLimitSettings } from "../graphql/rate-limit.js";
import { buildAppSchema } from "../graphql/schema.js";
import { requireSignInPlugin } from "../graphql/sign-in-guard.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";
import type { Services } from "../services.js";
import { graphqlContextFactory } from "./graphql-context.js";
import { graphqlPostHandler, isPlainGraphQLPost } from "./graphql-post.js";
import { hasMetricsToken, refuseMetrics, serveMetrics } from "./metrics-endpoint.js";
import { servePlayground, wantsPlayground } from "./playground.js";
import { assignRequestId, requestIdMiddleware, requestIdOf } from "./request-id.js";
import { readSessionCookie } from "./session-cookie.js";
import { defaultWebAppDir, webAppRouter } from "./web-app.js";

export interface HttpServer {
  server: http.Server;
  /** Stops accepting connections and lets in-flight requests finish. */
  stop(): Promise<void>;
}

export interface AppDeps {
  config: Pick<Config, "graphqlMaxDepth" | "graphqlMaxComplexity" | "requestBodyLimitBytes"> & Partial<Pick<Config, "trustProxy">>;
  database: Database;
  services: Services;
  log: Logger;
  /**
   * Served at /metrics when given, only to `Authorization: Bearer <token>` (METRICS_TOKEN);
   * without a token, not on this port at all (METRICS_PORT serves them on loopback).
   */
  metrics?: { metrics: Metrics; token: string | null };
  /** false for a worker instance: health and metrics only. Default true. */
  graphql?: boolean;
  /** Per-user limits on syncNow, testConnection and discoverCalendars; default none. */
  rateLimit?: RateLimitSettings;
  /** Failed sign-ins per account and per address; default SIGN_IN_RATE_LIMIT. */
  signInRateLimit?: RateLimitSettings;
  /** Where the built web app is (web/build.ts); default this checkout's dist/web. */
  webAppDir?: string;
}

export async function createHttpServer(deps: AppDeps): Promise<HttpServer> {
  const { config, database, services, log } = deps;
  const app = express();
  app.disable("x-powered-by");
  // Answers are per user and change: hashing each body into an ETag would cost CPU for nothing.
  app.disable("etag");
  let graphqlPost: ((req: http.IncomingMessage, res: ServerResponse) => void) | null = null;
  const server = http.createServer((req, res) => {
    if (graphqlPost && isPlainGraphQLPost(req)) {
      assignRequestId(req, res);
      graphqlPost(req, res);
    } else {
      app(req, res);
    }
  });
  app.use(requestIdMiddleware);
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    try {
      await database.ping();
      res.json({ status: "ready", database: database.kind });
    } catch (error) {
      log.warn({ err: error }, "readiness check failed");
      res.status(503).json({ status: "unavailable", database: database.kind });
    }
  });
  const metricsToken = deps.metrics?.token;
  if (deps.metrics && metricsToken) {
    const { metrics } = deps.metrics;
    app.get("/metrics", (req, res) => (hasMetricsToken(req, metricsToken) ? serveMetrics(metrics, res) : refuseMetrics(res)));
  }
  if (deps.graphql === false) {
    return {
      server,
      stop: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        }),
    };
  }

  const schema = await buildAppSchema();

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    validationRules: [operationShapeRule(config.graphqlMaxDepth, config.graphqlMaxComplexity)],
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      ApolloServerPluginLandingPageDisabled(),
      // We send no cache hints; the default plugin would still wrap every field resolver.
      ApolloServerPluginCacheControlDisabled(),
      complexityLimitPlugin(schema, config.graphqlMaxComplexity),
      requestIdPlugin,
      requireSignInPlugin(schema),
      directExecutionPlugin(schema),
    ],
    includeStacktraceInErrorResponses: false,
    // src/main.ts stops everything in order on SIGTERM. Apollo's own handler (on outside tests)
    // raced it: our apollo.stop() then waited on Apollo's, whose success never wakes a second
    // caller, so every stop ran into the shutdown timeout.
    stopOnTerminationSignals: false,
    // The playground needs it; Apollo turns it off when NODE_ENV is production.
    introspection: true,
    formatError: (formatted, error) => formatError(formatted, error, log),
  });
  await apollo.start();
  const rateLimiter = new TokenBucketLimiter(deps.rateLimit ?? NO_RATE_LIMIT);

  app.get("/playground", (_req, res) => res.redirect(302, "/graphql"));
  app.use("/graphql", (req: Request, res: Response, next: NextFunction) => {
    if (!wantsPlayground(req)) return next();
    // Only the greeting depends on it; a page navigation carries the SameSite=Strict cookie.
    const secret = readSessionCookie(req.headers);
    const session = secret ? services.users.sessions.authenticate(secret) : Promise.resolve(null);
    session.then((found) => servePlayground(req, res, found !== null), next);
  });
  const context = graphqlContextFactory({
    services,
    log,
    proxy: { trustProxy: config.trustProxy ?? false },
    rateLimiter,
    signInLimiter: new TokenBucketLimiter(deps.signInRateLimit ?? SIGN_IN_RATE_LIMIT),
  });
  /** Errors before GraphQL: body too large or malformed (from body-parser too), anything unexpected. */
  const fail = (res: ServerResponse, status: number, error?: unknown) => {
    const requestId = requestIdOf(res);
    if (status === 500) log.error({ err: error, requestId }, "unhandled HTTP error");
    const code = status === 500 ? "INTERNAL_SERVER_ERROR" : "BAD_REQUEST";
    const message = status === 413 ? "Request body too large" : status === 500 ? "Internal server error" : "Malformed request";
    res.statusCode = status;
    res.setHeader("Content-Type", "application/json; charset=utf-8");
    res.end(JSON.stringify({ errors: [{ message, extensions: { code, requestId } }] }));
  };
  graphqlPost = graphqlPostHandler({ apollo, context: (req, res) => context(req, res, true), bodyLimitBytes: config.requestBodyLimitBytes, fail });
  // Everything else (GET, other encodings): API tokens only, never the session cookie.
  app.use("/graphql", express.json({ limit: config.requestBodyLimitBytes }), expressMiddleware(apollo, { context: ({ req, res }) => context(req, res, false) }));
  app.use(webAppRouter(deps.webAppDir ?? defaultWebAppDir()));
  app.use((error: Error & { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    fail(res, error.status && error.status >= 400 && error.status < 500 ? error.status : 500, error);
  });

  return {
    server,
    stop: () => apollo.stop(),
  };
}
