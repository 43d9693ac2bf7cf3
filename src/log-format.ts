/**
 * Log lines for a person at a terminal: "09:41:07 INFO  listening host=127.0.0.1 port=4000",
 * an error's stack below its line. Made from pino's JSON records, so what is logged (and redacted)
 * is the same in both formats.
 */
const LEVELS: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };
/** Fields every record has, shown in the line's own places or not at all. */
const FRAME = new Set(["level", "time", "msg", "pid", "hostname", "err"]);

export function formatLogRecord(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith("\n") ? json : `${json}\n`;
  }
  const time = typeof record.time === "number" ? new Date(record.time).toTimeString().slice(0, 8) : "--:--:--";
  const level = (LEVELS[record.level as number] ?? String(record.level)).padEnd(5);
  const fields = Object.entries(record)
    .filter(([key]) => !FRAME.has(key))
    .map(([key, value]) => `${key}=${typeof value === "string" && !/\s/.test(value) ? value : JSON.stringify(value)}`);
  const err = record.err as { message?: string; stack?: string } | undefined;
  const stack = err ? `\n    ${(err.stack ?? err.message ?? JSON.stringify(err)).split("\n").join("\n    ")}` : "";
  return `${[time, level, record.msg ?? "", ...fields].join(" ")}${stack}\n`;
}

/** A pino destination writing text lines to `out` (the terminal). */
export function textLogDestination(out: NodeJS.WritableStream): { write(line: string): void } {
  return { write: (line) => void out.write(formatLogRecord(line)) };
}
