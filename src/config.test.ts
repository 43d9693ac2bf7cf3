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

describe("SYNC_CACHE_MB", () => {
  it("defaults to 128 MiB and takes a whole number of MiB", () => {
    expect(loadConfig({}).syncCacheMb).toBe(128);
    expect(loadConfig({ SYNC_CACHE_MB: "16" }).syncCacheMb).toBe(16);
  });

  it("refuses 0 and fractions, saying what it accepts", () => {
    for (const raw of ["0", "1.5"]) expect(() => loadConfig({ SYNC_CACHE_MB: raw })).toThrow(`SYNC_CACHE_MB must be a whole number from 1 to 65536 (got "${raw}")`);
  });
});
