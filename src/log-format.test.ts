import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.js";
import { formatLogRecord, textLogDestination } from "./log-format.js";

describe("text log lines", () => {
  const at = Date.UTC(2026, 2, 29, 7, 41, 7);
  /** The local wall time of `at` as Node's own Date prints it: the zone of the machine running the test. */
  const clock = new Date(at).toTimeString().slice(0, 8);

  it("puts time, level and message first, then the fields, without pid and hostname", () => {
    const json = JSON.stringify({ level: 30, time: at, pid: 7, hostname: "vm", host: "127.0.0.1", port: 4000, database: "pglite", msg: "listening" });
    expect(formatLogRecord(json)).toBe(`${clock} INFO  listening host=127.0.0.1 port=4000 database=pglite\n`);
  });

  it("quotes values with spaces and shows an error's stack below its line", () => {
    const json = JSON.stringify({ level: 50, time: at, msg: "internal error", path: ["a", "b"], note: "two words", err: { message: "boom", stack: "Error: boom\n    at x (y.js:1:1)" } });
    expect(formatLogRecord(json)).toBe(`${clock} ERROR internal error path=["a","b"] note="two words"\n    Error: boom\n        at x (y.js:1:1)\n`);
  });

  it("keeps pino's redaction", () => {
    const lines: string[] = [];
    const log = createLogger("info", textLogDestination({ write: (line: string) => lines.push(line) } as unknown as NodeJS.WritableStream));
    log.info({ password: "hunter2", user: "u" }, "signed in");
    expect(lines.join("")).toMatch(/ INFO  signed in password=\[redacted\] user=u\n$/);
    expect(lines.join("")).not.toContain("hunter2");
  });
});
