import { createLogger, type Logger } from "../../src/logger.js";

/** A logger at debug level whose lines are kept in memory, to prove what never reaches a log. */
export function capturedLogger(): { log: Logger; text: () => string } {
  const lines: string[] = [];
  const log = createLogger("debug", { write: (line: string) => void lines.push(line) });
  return { log, text: () => lines.join("") };
}
