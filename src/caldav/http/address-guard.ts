import { BlockList, isIP } from "node:net";
import { lookup as dnsLookup } from "node:dns";
import type { LookupAddress, LookupOptions } from "node:dns";
import { CalDAVError } from "../errors.js";

export interface AddressPolicy {
  /** allow RFC 1918 / ULA / CGNAT and loopback targets (self-hosted servers on the LAN) */
  allowPrivateNetworks: boolean;
}

/** Injectable resolver: same contract as `dns.promises.lookup(host, { all: true })`. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const defaultResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (err, addrs) => (err ? reject(err) : resolve(addrs))));

export type AddressClass = "public" | "private" | "loopback" | "always-blocked";

// RFC 6890 special-purpose registries; "always" ranges are never legitimate CalDAV targets.
const always = new BlockList();
always.addSubnet("0.0.0.0", 8, "ipv4"); // "this network"
always.addSubnet("169.254.0.0", 16, "ipv4"); // link-local incl. 169.254.169.254 (AWS/GCP/Azure metadata)
always.addSubnet("224.0.0.0", 4, "ipv4"); // multicast
always.addSubnet("240.0.0.0", 4, "ipv4"); // reserved + 255.255.255.255 broadcast
always.addAddress("100.100.100.200", "ipv4"); // Alibaba Cloud metadata (inside 100.64/10)
always.addSubnet("192.0.0.0", 24, "ipv4"); // IETF protocol assignments (incl. 192.0.0.192 Oracle metadata)
always.addAddress("::", "ipv6"); // unspecified
always.addSubnet("fe80::", 10, "ipv6"); // link-local
always.addSubnet("ff00::", 8, "ipv6"); // multicast
always.addAddress("fd00:ec2::254", "ipv6"); // AWS IMDS over IPv6 (inside fc00::/7)

const privateNets = new BlockList();
privateNets.addSubnet("10.0.0.0", 8, "ipv4");
privateNets.addSubnet("172.16.0.0", 12, "ipv4");
privateNets.addSubnet("192.168.0.0", 16, "ipv4");
privateNets.addSubnet("100.64.0.0", 10, "ipv4"); // CGNAT (RFC 6598), also Tailscale
privateNets.addSubnet("198.18.0.0", 15, "ipv4"); // benchmarking
privateNets.addSubnet("fc00::", 7, "ipv6"); // unique local
privateNets.addSubnet("fec0::", 10, "ipv6"); // deprecated site-local

const loopback = new BlockList();
loopback.addSubnet("127.0.0.0", 8, "ipv4");
loopback.addAddress("::1", "ipv6");

/**
 * Embedded IPv4 in IPv6 forms that route to an IPv4 host: mapped ::ffff:a.b.c.d (RFC 4291),
 * the deprecated compatible ::a.b.c.d, NAT64 64:ff9b::/96 (RFC 6052). 6to4/Teredo are not unwrapped
 * (rare as configured targets) but fall under "public"/"private" by their own prefix.
 */
function embeddedIPv4(ip6: string): string | null {
  const lower = ip6.toLowerCase();
  const m = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (m) return m[1]!;
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const a = parseInt(hex[1]!, 16);
    const b = parseInt(hex[2]!, 16);
    return `${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`;
  }
  return null;
}

/** Classifies one IP literal (v4 or v6, optionally bracketed). */
export function classifyAddress(address: string): AddressClass {
  let ip = address.replace(/^\[|\]$/g, "");
  const zone = ip.indexOf("%");
  if (zone >= 0) ip = ip.slice(0, zone); // scoped addresses (fe80::1%eth0)
  const family = isIP(ip);
  if (family === 0) return "always-blocked"; // not an IP: refuse rather than guess
  if (family === 6) {
    const v4 = embeddedIPv4(ip);
    if (v4 && isIP(v4) === 4) return classifyAddress(v4);
  }
  const type = family === 4 ? "ipv4" : "ipv6";
  if (always.check(ip, type)) return "always-blocked";
  if (loopback.check(ip, type)) return "loopback";
  if (privateNets.check(ip, type)) return "private";
  return "public";
}

export function isAddressAllowed(address: string, policy: AddressPolicy): boolean {
  const c = classifyAddress(address);
  if (c === "public") return true;
  if (c === "always-blocked") return false;
  return policy.allowPrivateNetworks;
}

/** Throws BLOCKED_ADDRESS unless every address is allowed (a host with one bad A record is refused). */
export function assertAddressesAllowed(hostname: string, addresses: string[], policy: AddressPolicy): void {
  if (addresses.length === 0) throw new CalDAVError("UNREACHABLE", { detail: `no address for ${hostname}` });
  for (const a of addresses) {
    if (!isAddressAllowed(a, policy)) {
      throw new CalDAVError("BLOCKED_ADDRESS", { detail: `${hostname} resolves to ${a} (${classifyAddress(a)})` });
    }
  }
}

/** Resolves a host name (or passes an IP literal through) and checks every address. */
export async function resolveAndCheck(hostname: string, policy: AddressPolicy, resolver: Resolver = defaultResolver): Promise<LookupAddress[]> {
  const bare = hostname.replace(/^\[|\]$/g, "");
  const fam = isIP(bare);
  let addrs: LookupAddress[];
  if (fam) addrs = [{ address: bare, family: fam }];
  else {
    try {
      addrs = await resolver(bare);
    } catch (e) {
      throw new CalDAVError("UNREACHABLE", { detail: `cannot resolve ${bare}`, cause: e });
    }
  }
  assertAddressesAllowed(bare, addrs.map((a) => a.address), policy);
  return addrs;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/tls.connect (passed via undici `connect.lookup`): the check happens on the
 * very address the socket connects to, so a DNS answer that changes between check and connect
 * (rebinding, TOCTOU) cannot slip through. Note: net.connect does not call lookup for IP
 * literals, so the client also checks literal hosts before sending.
 */
export function guardedLookup(policy: AddressPolicy, resolver: Resolver = defaultResolver) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    resolveAndCheck(hostname, policy, resolver).then(
      (addrs) => {
        const wanted = options.family === 4 || options.family === 6 ? addrs.filter((a) => a.family === options.family) : addrs;
        const list = wanted.length ? wanted : addrs;
        if (options.all) callback(null, list);
        else callback(null, list[0]!.address, list[0]!.family);
      },
      // the CalDAVError travels up as the socket error's cause chain; the client unwraps it
      (err: unknown) => callback(err as NodeJS.ErrnoException, "", 0),
    );
  };
}
