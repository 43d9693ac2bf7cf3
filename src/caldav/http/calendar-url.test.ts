import { describe, expect, it } from "vitest";
import { normalizeCalendarUrl, sameCalendarUrl } from "./calendar-url.js";

describe("normalizeCalendarUrl", () => {
  // Written by hand from RFC 3986 §6.2.2 and RFC 4918 §5.2.
  it.each([
    ["trailing slash added", "http://127.0.0.1:5232/alice/calendar", "http://127.0.0.1:5232/alice/calendar/"],
    ["host case", "https://DAV.Example.COM/cal/", "https://dav.example.com/cal/"],
    ["scheme case", "HTTPS://dav.example.com/cal/", "https://dav.example.com/cal/"],
    ["default https port", "https://dav.example.com:443/cal/", "https://dav.example.com/cal/"],
    ["default http port", "http://dav.example.com:80/cal/", "http://dav.example.com/cal/"],
    ["other port kept", "https://dav.example.com:8443/cal/", "https://dav.example.com:8443/cal/"],
    ["lower-case hex upper-cased", "https://h/dav/a%2fb/", "https://h/dav/a%2Fb/"],
    ["escaped unreserved decoded", "https://h/%7Ealice/%41rbeit%2D1/", "https://h/~alice/Arbeit-1/"],
    ["raw space encoded", "https://h/dav/Team calendar/", "https://h/dav/Team%20calendar/"],
    ["raw non-ASCII encoded as UTF-8", "https://h/dav/Küche/", "https://h/dav/K%C3%BCche/"],
    ["escaped non-ASCII kept, upper-cased", "https://h/dav/K%c3%bcche/", "https://h/dav/K%C3%BCche/"],
    ["sub-delims and @ stay raw", "https://h/dav/anna@example.com/a+b/", "https://h/dav/anna@example.com/a+b/"],
    ["dot segments removed", "https://h/dav/x/../cal/./", "https://h/dav/cal/"],
    ["fragment and credentials dropped", "https://u:p@h/cal/#frag", "https://h/cal/"],
    ["a pipe WHATWG leaves raw is encoded", "https://h/a|b/", "https://h/a%7Cb/"],
    ["a lone percent sign is encoded", "https://h/100%/", "https://h/100%25/"],
  ])("%s", (_label, input, expected) => {
    expect(normalizeCalendarUrl(input)).toBe(expected);
  });

  it("gives every spelling of one calendar the same URL", () => {
    const forms = [
      "http://127.0.0.1:5232/alice/calendar/",
      "http://127.0.0.1:5232/alice/calendar",
      "HTTP://127.0.0.1:5232/%61lice/calendar",
      "http://127.0.0.1:5232/alice/./calendar/",
    ];
    for (const form of forms) expect(sameCalendarUrl(form, forms[0]!), form).toBe(true);
    expect(sameCalendarUrl("http://127.0.0.1:5232/alice/calendar/", "http://127.0.0.1:5233/alice/calendar/")).toBe(false);
    expect(sameCalendarUrl("http://127.0.0.1:5232/alice/calendar/", "https://127.0.0.1:5232/alice/calendar/")).toBe(false);
    expect(sameCalendarUrl("http://127.0.0.1:5232/alice/calendar/", "not a url")).toBe(false);
  });

  it("is what WHATWG URL keeps as it is, and a fixed point", () => {
    const inputs = ["https://DAV.example.com:443/a b/%7e/K%c3%bcche|x/100%/", "http://h:80/x/../y", "https://h/dav/anna@example.com/Calendar"];
    for (const input of inputs) {
      const once = normalizeCalendarUrl(input);
      expect(new URL(once).href).toBe(once);
      expect(normalizeCalendarUrl(once)).toBe(once);
      // Same resource for WHATWG: equal origins, and equal paths once both are fully decoded.
      expect(new URL(once).origin).toBe(new URL(input).origin);
      expect(decodeURIComponent(new URL(once).pathname).replace(/\/$/, "")).toBe(decodeURIComponent(new URL(input).pathname.replace(/%(?![0-9A-Fa-f]{2})/g, "%25")).replace(/\/$/, ""));
    }
  });

  it("refuses what WHATWG URL refuses", () => {
    expect(() => normalizeCalendarUrl("htp:/foo bar")).not.toThrow(); // WHATWG accepts it; validation refuses the scheme
    expect(() => normalizeCalendarUrl("https://")).toThrow();
    expect(() => normalizeCalendarUrl("no scheme")).toThrow();
  });
});
