import { badInput } from "../errors.js";

/** Position in the (start_time desc, id desc) order. Opaque to clients: base64url JSON. */
export interface TimeEntryCursor {
  startTime: Date;
  id: string;
}

/** "<epoch ms>.<id>" in base64url: cheap to make for every edge of a page (it is on the hot path). */
export function encodeCursor(cursor: TimeEntryCursor): string {
  return Buffer.from(`${cursor.startTime.getTime()}.${cursor.id}`).toString("base64url");
}

export function decodeCursor(value: string): TimeEntryCursor {
  const match = /^(-?\d{1,15})\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(Buffer.from(value, "base64url").toString("utf8"));
  if (!match) throw badInput("after", "is not a cursor returned by this API");
  return { startTime: new Date(Number(match[1])), id: match[2]! };
}
