import { badInput } from "../errors.js";

/** Position in the (start_time desc, id desc) order. Opaque to clients: base64url JSON. */
export interface TimeEntryCursor {
  startTime: Date;
  id: string;
}

export function encodeCursor(cursor: TimeEntryCursor): string {
  return Buffer.from(JSON.stringify([cursor.startTime.toISOString(), cursor.id])).toString("base64url");
}

export function decodeCursor(value: string): TimeEntryCursor {
  try {
    const [start, id] = JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as unknown[];
    const startTime = new Date(String(start));
    if (typeof id === "string" && /^[0-9a-f-]{36}$/i.test(id) && !Number.isNaN(startTime.getTime())) {
      return { startTime, id };
    }
  } catch {
    // fall through to the user-facing error
  }
  throw badInput("after", "is not a cursor returned by this API");
}
