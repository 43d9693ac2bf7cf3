import { describe, expect, it } from "vitest";
import { CalDAVError } from "../errors.js";
import { classifyAddress, guardedLookup, isAddressAllowed, resolveAndCheck, type Resolver } from "./address-guard.js";

const fake =
  (table: Record<string, string[]>): Resolver =>
  async (host) => {
    const a = table[host];
    if (!a) throw Object.assign(new Error("ENOTFOUND"), { code: "ENOTFOUND" });
    return a.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };

describe("address guard (RFC 6890)", () => {
  it.each([
    ["169.254.169.254", "always-blocked"],
    ["::ffff:169.254.169.254", "always-blocked"],
    ["::ffff:a9fe:a9fe", "always-blocked"],
    ["fe80::1", "always-blocked"],
    ["fe80::1%eth0", "always-blocked"],
    ["fd00:ec2::254", "always-blocked"],
    ["100.100.100.200", "always-blocked"],
    ["0.0.0.0", "always-blocked"],
    ["224.0.0.1", "always-blocked"],
    ["ff02::1", "always-blocked"],
    ["::", "always-blocked"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.10", "private"],
    ["100.64.0.1", "private"],
    ["fd12:3456::1", "private"],
    ["::ffff:10.0.0.1", "private"],
    ["127.0.0.1", "loopback"],
    ["127.8.9.10", "loopback"],
    ["::1", "loopback"],
    ["[::1]", "loopback"],
    ["::ffff:127.0.0.1", "loopback"],
    ["8.8.8.8", "public"],
    ["172.32.0.1", "public"],
    ["2001:4860:4860::8888", "public"],
    ["not-an-ip", "always-blocked"],
  ])("%s is %s", (ip, cls) => {
    expect(classifyAddress(ip)).toBe(cls);
  });

  it("private and loopback depend on the policy; metadata never passes", () => {
    expect(isAddressAllowed("192.168.1.2", { allowPrivateNetworks: false })).toBe(false);
    expect(isAddressAllowed("192.168.1.2", { allowPrivateNetworks: true })).toBe(true);
    expect(isAddressAllowed("127.0.0.1", { allowPrivateNetworks: true })).toBe(true);
    expect(isAddressAllowed("169.254.169.254", { allowPrivateNetworks: true })).toBe(false);
  });

  it("checks every resolved address (one bad record refuses the host)", async () => {
    const r = fake({ "cal.example.com": ["93.184.216.34"], "mixed.example.com": ["93.184.216.34", "169.254.169.254"], "lan.example.com": ["192.168.0.5"] });
    await expect(resolveAndCheck("cal.example.com", { allowPrivateNetworks: false }, r)).resolves.toHaveLength(1);
    await expect(resolveAndCheck("mixed.example.com", { allowPrivateNetworks: true }, r)).rejects.toMatchObject({ code: "BLOCKED_ADDRESS" });
    await expect(resolveAndCheck("lan.example.com", { allowPrivateNetworks: false }, r)).rejects.toMatchObject({ code: "BLOCKED_ADDRESS" });
    await expect(resolveAndCheck("lan.example.com", { allowPrivateNetworks: true }, r)).resolves.toHaveLength(1);
    await expect(resolveAndCheck("nope.example.com", { allowPrivateNetworks: true }, r)).rejects.toMatchObject({ code: "UNREACHABLE" });
    await expect(resolveAndCheck("[fe80::1]", { allowPrivateNetworks: true }, r)).rejects.toBeInstanceOf(CalDAVError);
  });

  it("guardedLookup answers net.connect in both all and single modes, and fails blocked hosts", async () => {
    const lookup = guardedLookup({ allowPrivateNetworks: false }, fake({ "a.example": ["93.184.216.34", "2606:2800:220:1::1"], "meta.example": ["169.254.169.254"] }));
    const call = (host: string, opts: object) => new Promise<unknown>((res, rej) => lookup(host, opts, (e, a, f) => (e ? rej(e) : res(f === undefined ? a : [a, f]))));
    await expect(call("a.example", { all: true })).resolves.toHaveLength(2);
    await expect(call("a.example", { family: 6 })).resolves.toEqual(["2606:2800:220:1::1", 6]);
    await expect(call("meta.example", { all: true })).rejects.toMatchObject({ code: "BLOCKED_ADDRESS" });
  });
});
