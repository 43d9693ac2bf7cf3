import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import type { NextFunction, Request, Response } from "express";

const storage = new AsyncLocalStorage<string>();

/** The id of the HTTP request being served, for log lines and error messages. */
export function currentRequestId(): string | undefined {
  return storage.getStore();
}

/** Accepts a sane incoming X-Request-Id (from a proxy), else makes one; echoes it back. */
export function requestIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  const incoming = req.header("x-request-id");
  const id = incoming && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
  res.setHeader("X-Request-Id", id);
  storage.run(id, next);
}
