/** A calendar object that could not be read even after repair. The message never echoes data beyond the UID. */
export class IcsParseError extends Error {
  readonly code = "ICS_PARSE_ERROR";

  constructor(message: string) {
    super(message);
    this.name = "IcsParseError";
  }
}
