import { describe, expect, it } from "vitest";
import { encodeHrefChars, resolveHref, samePath } from "./href.js";

describe("href resolution", () => {
  const base = "https://dav.example.com/cal/alice/work/";
  it("resolves relative and absolute-path hrefs and keeps the server's spelling", () => {
    expect(resolveHref("event.ics", base)).toEqual({ href: "event.ics", url: "https://dav.example.com/cal/alice/work/event.ics", sameOrigin: true });
    expect(resolveHref(" /cal/alice/work/x.ics\n", base).href).toBe("/cal/alice/work/x.ics");
  });
  it("encodes raw spaces and non-ASCII but never double-encodes %20", () => {
    expect(resolveHref("/cal/a b.ics", base).url).toBe("https://dav.example.com/cal/a%20b.ics");
    expect(resolveHref("/cal/a%20b.ics", base).url).toBe("https://dav.example.com/cal/a%20b.ics");
    expect(resolveHref("/cal/Über Café.ics", base).url).toBe("https://dav.example.com/cal/%C3%9Cber%20Caf%C3%A9.ics");
    expect(resolveHref("/cal/%C3%BC.ics", base).url).toBe("https://dav.example.com/cal/%C3%BC.ics");
    expect(encodeHrefChars("/a%zz/100%")).toBe("/a%25zz/100%25");
  });
  it("flags other origins (never fetched with credentials)", () => {
    expect(resolveHref("https://evil.example.net/x.ics", base).sameOrigin).toBe(false);
    expect(resolveHref("http://dav.example.com/x.ics", base).sameOrigin).toBe(false);
    expect(resolveHref("//evil.example.net/x.ics", base).sameOrigin).toBe(false);
  });
  it("compares paths across encodings and trailing slashes", () => {
    expect(samePath("/cal/a%20b/", "https://dav.example.com/cal/a b", base)).toBe(true);
    expect(samePath("/cal/a/", "/cal/b/", base)).toBe(false);
  });
});
