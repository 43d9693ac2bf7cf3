import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CalDAVError, createCalDAVClient, type CalDAVClientOptions } from "../../src/caldav/index.js";
import { fixtureServers, xml } from "./fixture-server.js";

const MS = `<?xml version="1.0"?><D:multistatus xmlns:D="DAV:"><D:response><D:href>/</D:href><D:propstat><D:prop><D:displayname>x</D:displayname></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>`;
const PASSWORD = "Tr0ub4dor&3-secret";
const serve = fixtureServers();
const client = (extra: Partial<CalDAVClientOptions> = {}) =>
  createCalDAVClient({ username: "alice", password: PASSWORD, verifyTls: true, timeoutMs: 5000, retryBaseDelayMs: 1, addressPolicy: { allowPrivateNetworks: true }, ...extra });

async function codeOf(p: Promise<unknown>): Promise<CalDAVError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CalDAVError);
  const ce = e as CalDAVError;
  expect(`${ce.message} ${ce.detail ?? ""} ${JSON.stringify(ce)}`).not.toContain(PASSWORD);
  expect(`${ce.message}`).not.toContain(Buffer.from(`alice:${PASSWORD}`).toString("base64"));
  return ce;
}

describe("HTTP client: auth", () => {
  it("sends Basic preemptively (Cyrus answers anonymous PROPFIND with 207)", async () => {
    const s = await serve((r, res) => xml(res, MS));
    const c = client();
    await c.request({ method: "PROPFIND", url: s.origin + "/", depth: "0", body: "<x/>" });
    expect(s.seen[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`alice:${PASSWORD}`).toString("base64")}`);
  });

  it("Basic refused → AUTH_FAILED after one request, without leaking the password", async () => {
    const s = await serve((r, res) => {
      res.writeHead(401, { "www-authenticate": 'Basic realm="Nextcloud", charset="UTF-8"' });
      res.end();
    });
    const e = await codeOf(client().request({ method: "PROPFIND", url: s.origin + "/", depth: "0" }));
    expect(e.code).toBe("AUTH_FAILED");
    expect(s.seen).toHaveLength(1);
  });

  it("answers a Digest challenge, caches it per origin, and re-challenges on stale=true", async () => {
    let nonce = "n1";
    const ha1 = createHash("md5").update(`alice:realm:${PASSWORD}`).digest("hex");
    const s = await serve((r, res) => {
      const a = r.headers.authorization ?? "";
      const f = Object.fromEntries([...a.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)].map((m) => [m[1], m[2] ?? m[3]]));
      const ha2 = createHash("md5").update(`${r.method}:${f["uri"]}`).digest("hex");
      const expected = createHash("md5").update(`${ha1}:${f["nonce"]}:${f["nc"]}:${f["cnonce"]}:auth:${ha2}`).digest("hex");
      if (a.startsWith("Digest ") && f["response"] === expected && f["nonce"] === nonce && f["opaque"] === "op") return xml(res, MS);
      const stale = a.startsWith("Digest ") && f["response"] === expected ? ", stale=true" : "";
      res.writeHead(401, { "www-authenticate": [`Digest realm="realm", nonce="${nonce}", qop="auth", algorithm=MD5, opaque="op"${stale}`, 'Basic realm="realm"'] });
      res.end();
    });
    const c = client();
    await c.request({ method: "PROPFIND", url: s.origin + "/a/", depth: "0", body: "<x/>" });
    await c.request({ method: "REPORT", url: s.origin + "/b/?q=1", depth: "1", body: "<y/>" });
    expect(s.seen.map((r) => r.headers.authorization?.split(" ")[0])).toEqual(["Basic", "Digest", "Digest"]);
    expect(s.seen[2]!.body).toBe("<y/>");
    expect(s.seen[2]!.headers.authorization).toContain("nc=00000002");
    nonce = "n2"; // server rotates the nonce
    await c.request({ method: "PROPFIND", url: s.origin + "/c/", depth: "0" });
    expect(s.seen.slice(3).map((r) => r.headers.authorization?.split(" ")[0])).toEqual(["Digest", "Digest"]);
    expect(c.stats.byStatus[401]).toBe(2);
  });

  it("wrong password with Digest → AUTH_FAILED (Basic first, then one Digest attempt)", async () => {
    const s = await serve((r, res) => {
      res.writeHead(401, { "www-authenticate": 'Digest realm="SabreDAV", nonce="abc", qop="auth", opaque="o"' });
      res.end();
    });
    expect((await codeOf(client().request({ method: "PROPFIND", url: s.origin + "/" }))).code).toBe("AUTH_FAILED");
    expect(s.seen).toHaveLength(2);
  });
});

describe("HTTP client: redirects", () => {
  it("follows same-origin redirects keeping PROPFIND and its body", async () => {
    const s = await serve((r, res) => {
      if (r.url === "/.well-known/caldav") {
        res.writeHead(301, { location: "/dav/" });
        return res.end();
      }
      if (r.url === "/dav/") {
        res.writeHead(308, { location: `http://127.0.0.1:${new URL(s.origin).port}/dav2/` });
        return res.end();
      }
      xml(res, MS);
    });
    const res = await client().request({ method: "PROPFIND", url: s.origin + "/.well-known/caldav", depth: "0", body: "<keep/>" });
    expect(res.status).toBe(207);
    expect(res.url).toBe(s.origin + "/dav2/");
    expect(s.seen.map((r) => [r.method, r.url, r.body])).toEqual([
      ["PROPFIND", "/.well-known/caldav", "<keep/>"],
      ["PROPFIND", "/dav/", "<keep/>"],
      ["PROPFIND", "/dav2/", "<keep/>"],
    ]);
  });

  it("refuses a redirect to another host and sends it nothing", async () => {
    const other = await serve((r, res) => xml(res, MS));
    const s = await serve((r, res) => {
      res.writeHead(302, { location: `http://localhost:${other.port}/dav/` }); // another origin
      res.end();
    });
    const e = await codeOf(client().request({ method: "PROPFIND", url: s.origin + "/" }));
    expect(e.code).toBe("INVALID_RESPONSE");
    expect(e.detail).toMatch(/another host/);
    expect(other.seen).toHaveLength(0);
  });

  it("stops after 5 redirects", async () => {
    const s = await serve((r, res) => {
      res.writeHead(302, { location: `/r${r.url.length}` });
      res.end();
    });
    expect((await codeOf(client().request({ method: "PROPFIND", url: s.origin + "/" }))).detail).toMatch(/too many redirects/);
    expect(s.seen).toHaveLength(6);
  });

  it("never sends credentials to an origin other than the first one", async () => {
    const a = await serve((r, res) => xml(res, MS));
    const b = await serve((r, res) => xml(res, MS));
    const c = client();
    await c.request({ method: "PROPFIND", url: a.origin + "/" });
    expect((await codeOf(c.request({ method: "PROPFIND", url: b.origin + "/" }))).code).toBe("INVALID_RESPONSE");
    expect(b.seen).toHaveLength(0);
  });
});

describe("HTTP client: limits, retries, transport errors", () => {
  it("caps the body by Content-Length and by streamed bytes", async () => {
    const s = await serve((r, res) => {
      if (r.url === "/cl") {
        res.writeHead(207, { "content-length": "5000" });
        return res.end("x".repeat(5000));
      }
      res.writeHead(207, { "content-type": "application/xml" }); // chunked, no length
      for (let i = 0; i < 10; i++) res.write("y".repeat(1000));
      res.end();
    });
    const c = client({ maxResponseBytes: 2048 });
    expect((await codeOf(c.request({ method: "GET", url: s.origin + "/cl" }))).code).toBe("RESPONSE_TOO_LARGE");
    expect((await codeOf(c.request({ method: "GET", url: s.origin + "/chunked" }))).code).toBe("RESPONSE_TOO_LARGE");
  });

  it("retries 503 honouring Retry-After, then succeeds; counts requests and calls onRequest", async () => {
    let n = 0;
    const s = await serve((r, res) => {
      if (n++ === 0) {
        res.writeHead(503, { "retry-after": "0" });
        return res.end();
      }
      xml(res, MS);
    });
    const seen: number[] = [];
    const c = client({ onRequest: (i) => seen.push(i.status) });
    const res = await c.request({ method: "PROPFIND", url: s.origin + "/", body: "<b/>" });
    expect(res.status).toBe(207);
    expect(seen).toEqual([503, 207]);
    expect(c.stats.requests).toBe(2);
    expect(c.stats.byStatus).toEqual({ 503: 1, 207: 1 });
    expect(c.stats.bytesReceived).toBe(Buffer.byteLength(MS));
    expect(s.seen[1]!.body).toBe("<b/>");
  });

  it("gives up at once with retryAfterMs when Retry-After exceeds the wait budget", async () => {
    const s = await serve((r, res) => {
      res.writeHead(429, { "retry-after": "120" });
      res.end();
    });
    const e = await codeOf(client().request({ method: "PROPFIND", url: s.origin + "/" }));
    expect(e).toMatchObject({ code: "SERVER_ERROR", status: 429, retryAfterMs: 120_000 });
    expect(s.seen).toHaveLength(1);
  });

  it("stops after maxRetries", async () => {
    const s = await serve((r, res) => {
      res.writeHead(502);
      res.end();
    });
    expect((await codeOf(client({ maxRetries: 2 }).request({ method: "PROPFIND", url: s.origin + "/" }))).code).toBe("SERVER_ERROR");
    expect(s.seen).toHaveLength(3);
  });

  it("times out a stalled server → TIMEOUT", async () => {
    const s = await serve(() => new Promise(() => {})); // never answers
    expect((await codeOf(client({ timeoutMs: 300 }).request({ method: "PROPFIND", url: s.origin + "/" }))).code).toBe("TIMEOUT");
  });

  it("a closed port → UNREACHABLE", async () => {
    const s = await serve((r, res) => xml(res, MS));
    const url = s.origin + "/";
    await s.stop();
    expect((await codeOf(client().request({ method: "PROPFIND", url }))).code).toBe("UNREACHABLE");
  });
});

describe("HTTP client: address guard", () => {
  it("refuses loopback unless private networks are allowed, before connecting", async () => {
    const s = await serve((r, res) => xml(res, MS));
    expect((await codeOf(client({ addressPolicy: { allowPrivateNetworks: false } }).request({ method: "PROPFIND", url: s.origin + "/" }))).code).toBe("BLOCKED_ADDRESS");
    expect(s.seen).toHaveLength(0);
  });

  it("checks the address the socket connects to (injected resolver via connect.lookup)", async () => {
    const s = await serve((r, res) => xml(res, MS));
    const lookup = async (host: string) => {
      if (host === "calendar.example.test") return [{ address: "127.0.0.1", family: 4 }];
      if (host === "metadata.example.test") return [{ address: "169.254.169.254", family: 4 }];
      throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
    };
    const ok = await client({ lookup }).request({ method: "PROPFIND", url: `http://calendar.example.test:${s.port}/` });
    expect(ok.status).toBe(207);
    expect(s.seen[0]!.headers.host).toBe(`calendar.example.test:${s.port}`);
    expect((await codeOf(client({ lookup }).request({ method: "PROPFIND", url: `http://metadata.example.test:${s.port}/` }))).code).toBe("BLOCKED_ADDRESS");
    // loopback via DNS is refused by default, too
    expect((await codeOf(client({ lookup, addressPolicy: { allowPrivateNetworks: false } }).request({ method: "PROPFIND", url: `http://calendar.example.test:${s.port}/` }))).code).toBe("BLOCKED_ADDRESS");
    expect((await codeOf(client({ lookup }).request({ method: "PROPFIND", url: `http://nowhere.example.test:${s.port}/` }))).code).toBe("UNREACHABLE");
    expect(s.seen).toHaveLength(1);
  });

  it("checks redirect targets as well", async () => {
    const s = await serve((r, res) => {
      res.writeHead(301, { location: "http://[::ffff:169.254.169.254]/latest/meta-data/" });
      res.end();
    });
    const e = await codeOf(client().request({ method: "PROPFIND", url: s.origin + "/" }));
    expect(["BLOCKED_ADDRESS", "INVALID_RESPONSE"]).toContain(e.code); // cross-host refusal comes first
  });
});
