import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";
import { createMetricsServer, METRICS_HOST } from "../../src/http/metrics-endpoint.js";
import { Metrics } from "../../src/metrics.js";
import { startTestApi, type TestApi } from "../helpers/api.js";

/** A metric prom-client always exports (its default process metrics), in the text format. */
const EXPOSITION = /^# TYPE process_cpu_user_seconds_total counter$/m;

describe("/metrics on the API port", () => {
  const metricsToken = randomBytes(32).toString("hex");
  let guarded: TestApi;
  let closed: TestApi;
  let userToken: string;

  beforeAll(async () => {
    guarded = await startTestApi({ metrics: { metrics: new Metrics(), token: metricsToken } });
    closed = await startTestApi({ metrics: { metrics: new Metrics(), token: null } });
    ({ token: userToken } = await guarded.createUser("not-a-scraper@example.com"));
  });
  afterAll(async () => {
    await guarded?.close();
    await closed?.close();
  });

  const scrape = (api: TestApi, authorization?: string) => fetch(`${api.url}/metrics`, { headers: authorization ? { authorization } : {} });

  it("answers the METRICS_TOKEN bearer with the Prometheus text format", async () => {
    const res = await scrape(guarded, `Bearer ${metricsToken}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await res.text()).toMatch(EXPOSITION);
  });

  it.each([
    ["no Authorization header", () => undefined],
    ["a wrong token of the same length", () => `Bearer ${"0".repeat(metricsToken.length)}`],
    ["the token with one more character", () => `Bearer ${metricsToken}0`],
    ["a user's API token", () => `Bearer ${userToken}`],
    ["the token as Basic credentials", () => `Basic ${Buffer.from(`x:${metricsToken}`).toString("base64")}`],
  ])("refuses %s with 401 and no metrics", async (_label, authorization) => {
    const res = await scrape(guarded, authorization());
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="metrics"');
    expect(await res.text()).not.toMatch(EXPOSITION);
  });

  it("is not served at all without a METRICS_TOKEN", async () => {
    const res = await scrape(closed, `Bearer ${metricsToken}`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toMatch(EXPOSITION);
  });
});

describe("the METRICS_PORT server", () => {
  it("serves /metrics without a token, on loopback only, and nothing else", async () => {
    const server = createMetricsServer(new Metrics());
    await new Promise<void>((resolve) => server.listen(0, METRICS_HOST, resolve));
    try {
      const { address, port } = server.address() as AddressInfo;
      expect(address).toBe("127.0.0.1");
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(EXPOSITION);
      expect((await fetch(`http://127.0.0.1:${port}/graphql`)).status).toBe(404);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("metrics settings", () => {
  it("takes METRICS_TOKEN and METRICS_PORT", () => {
    const token = "a".repeat(32);
    expect(loadConfig({ METRICS_TOKEN: token, METRICS_PORT: "9464" })).toMatchObject({ metricsToken: token, metricsPort: 9464 });
    expect(loadConfig({})).toMatchObject({ metricsToken: null, metricsPort: null });
  });

  it.each([
    ["a short METRICS_TOKEN", { METRICS_TOKEN: "secret" }, /METRICS_TOKEN must be at least 32 characters/],
    ["a METRICS_PORT that is no port", { METRICS_PORT: "99999" }, /METRICS_PORT must be a whole number from 0 to 65535/],
  ])("refuses %s, saying what to set", (_label, env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
