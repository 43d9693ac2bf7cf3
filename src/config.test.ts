import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";

describe("CALDAV_MAX_REQUESTS_PER_ORIGIN", () => {
  it("defaults to 4 requests per server", () => {
    expect(loadConfig({}).caldavMaxRequestsPerOrigin).toBe(4);
  });

  it("takes a whole number from 1 to 256", () => {
    expect(loadConfig({ CALDAV_MAX_REQUESTS_PER_ORIGIN: "1" }).caldavMaxRequestsPerOrigin).toBe(1);
    expect(loadConfig({ CALDAV_MAX_REQUESTS_PER_ORIGIN: "256" }).caldavMaxRequestsPerOrigin).toBe(256);
  });

  it("refuses 0 and fractions, saying what it accepts", () => {
    for (const raw of ["0", "2.5", "many"]) {
      expect(() => loadConfig({ CALDAV_MAX_REQUESTS_PER_ORIGIN: raw })).toThrow(ConfigError);
      expect(() => loadConfig({ CALDAV_MAX_REQUESTS_PER_ORIGIN: raw })).toThrow(`CALDAV_MAX_REQUESTS_PER_ORIGIN must be a whole number from 1 to 256 (got "${raw}")`);
    }
  });
});
