import { pino, type Logger } from "pino";

export type { Logger };

/**
 * Structured JSON logs. Redaction is a second line of defence: no code path logs a
 * password, token or Authorization header on purpose, and these paths are blanked anyway.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: {
        paths: [
          "password",
          "*.password",
          "token",
          "*.token",
          "authorization",
          "*.authorization",
          "headers.authorization",
          "req.headers.authorization",
          "variables.input.password",
        ],
        censor: "[redacted]",
      },
    },
    destination,
  );
}
