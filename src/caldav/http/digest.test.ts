import { describe, expect, it } from "vitest";
import { digestAuthorization, pickDigestChallenge, toDigestChallenge } from "./digest.js";
import { parseWwwAuthenticate } from "./www-authenticate.js";

// RFC 7616 §3.9.1: user "Mufasa", password "Circle of Life", GET /dir/index.html
const NONCE = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
const OPAQUE = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS";
const CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
const header = (alg: string) => `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${alg}, nonce="${NONCE}", opaque="${OPAQUE}"`;

function responseOf(auth: string): string {
  return /response="([0-9a-f]+)"/.exec(auth)![1]!;
}

describe("Digest (RFC 7616)", () => {
  it("matches the §3.9.1 MD5 example", () => {
    const ch = pickDigestChallenge(parseWwwAuthenticate(header("MD5")))!;
    const auth = digestAuthorization({ challenge: ch, username: "Mufasa", password: "Circle of Life", method: "GET", uri: "/dir/index.html", nc: 1, cnonce: CNONCE });
    expect(responseOf(auth)).toBe("8ca523f5e9506fed4657c9700eebdbec");
    expect(auth).toContain("nc=00000001");
    expect(auth).toContain(`opaque="${OPAQUE}"`);
    expect(auth).toContain("qop=auth,");
  });

  it("matches the §3.9.1 SHA-256 example", () => {
    const ch = pickDigestChallenge(parseWwwAuthenticate(header("SHA-256")))!;
    const auth = digestAuthorization({ challenge: ch, username: "Mufasa", password: "Circle of Life", method: "GET", uri: "/dir/index.html", nc: 1, cnonce: CNONCE });
    expect(responseOf(auth)).toBe("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
  });

  it("prefers SHA-256 when a server offers both (§3.7) and parses two headers plus Basic", () => {
    const ch = pickDigestChallenge(parseWwwAuthenticate([header("MD5"), `${header("SHA-256")}, Basic realm="x"`]));
    expect(ch?.algorithm).toBe("SHA-256");
  });

  it("-sess variants change A1 and the counter changes the response", () => {
    const ch = toDigestChallenge({ scheme: "digest", params: { realm: "r", nonce: "n", qop: "auth", algorithm: "MD5-sess" } })!;
    const a = digestAuthorization({ challenge: ch, username: "u", password: "p", method: "PROPFIND", uri: "/", nc: 1, cnonce: "c" });
    const b = digestAuthorization({ challenge: { ...ch, algorithm: "MD5" }, username: "u", password: "p", method: "PROPFIND", uri: "/", nc: 1, cnonce: "c" });
    const c = digestAuthorization({ challenge: ch, username: "u", password: "p", method: "PROPFIND", uri: "/", nc: 2, cnonce: "c" });
    expect(responseOf(a)).not.toBe(responseOf(b));
    expect(responseOf(a)).not.toBe(responseOf(c));
    expect(a).toContain("algorithm=MD5-sess");
  });

  it("refuses auth-int-only and unknown algorithms; reads stale", () => {
    expect(toDigestChallenge({ scheme: "digest", params: { realm: "r", nonce: "n", qop: "auth-int" } })).toBeNull();
    expect(toDigestChallenge({ scheme: "digest", params: { realm: "r", nonce: "n", algorithm: "SHA-512-256" } })).toBeNull();
    expect(pickDigestChallenge(parseWwwAuthenticate('Digest realm="r", nonce="n2", stale=TRUE, qop="auth"'))?.stale).toBe(true);
  });

  it("never puts the password in the header", () => {
    const ch = toDigestChallenge({ scheme: "digest", params: { realm: "r", nonce: "n", qop: "auth" } })!;
    expect(digestAuthorization({ challenge: ch, username: "u", password: "hunter2-secret", method: "GET", uri: "/", nc: 1 })).not.toContain("hunter2");
  });
});

describe("WWW-Authenticate parsing", () => {
  it("splits several challenges in one header (Cyrus style)", () => {
    const c = parseWwwAuthenticate('Digest nonce="abc,def", realm="localhost", qop="auth", charset=utf-8, algorithm=md5-sess, Basic realm="cyrus"');
    expect(c.map((x) => x.scheme)).toEqual(["digest", "basic"]);
    expect(c[0]!.params).toMatchObject({ nonce: "abc,def", realm: "localhost", algorithm: "md5-sess", charset: "utf-8" });
    expect(c[1]!.params["realm"]).toBe("cyrus");
  });
  it("handles escaped quotes, token68 and Nextcloud's Basic", () => {
    expect(parseWwwAuthenticate('Basic realm="Nextcloud", charset="UTF-8"')[0]).toEqual({ scheme: "basic", params: { realm: "Nextcloud", charset: "UTF-8" } });
    expect(parseWwwAuthenticate('Digest realm="a \\"q\\" b", nonce=x')[0]!.params["realm"]).toBe('a "q" b');
    const n = parseWwwAuthenticate("Negotiate abc==, Basic realm=x");
    expect(n.map((x) => x.scheme)).toEqual(["negotiate", "basic"]);
    expect(n[0]!.params["token68"]).toBe("abc==");
  });
});
