import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { NextFunction, Request, Response } from "express";

const HEADER = "X-Request-Id";

/**
 * Accepts a sane incoming X-Request-Id (from a proxy), else makes one; echoes it back. Carried on
 * the response rather than in an AsyncLocalStorage, whose promise hooks slowed every request.
 */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers["x-request-id"];
  const id = typeof incoming === "string" && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
  res.setHeader(HEADER, id);
  return id;
}

/** The id assignRequestId gave this response. */
export function requestIdOf(res: ServerResponse): string | undefined {
  const id = res.getHeader(HEADER);
  return typeof id === "string" ? id : undefined;
}

export function requestIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  assignRequestId(req, res);
  next();
}
