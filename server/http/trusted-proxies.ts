import net from "node:net";

/**
 * Which proxies in front of the console may say who the client is (SAFEHOLD_TRUSTED_PROXIES): none (the socket's
 * peer is the client), the last `count` hops (every request comes through that many proxies), or a list of
 * addresses and CIDR ranges.
 */
export type TrustedProxies = { kind: "none" } | { kind: "hops"; count: number } | { kind: "addresses"; list: net.BlockList };

export const MAX_PROXY_HOPS = 10;

/** `::ffff:192.0.2.1` (an IPv4 client on a dual-stack socket) is `192.0.2.1`; IPv6 is compared lower case. */
export function normaliseAddress(address: string): string {
  const lower = address.trim().toLowerCase();
  return lower.startsWith("::ffff:") && net.isIPv4(lower.slice(7)) ? lower.slice(7) : lower;
}

function addEntry(list: net.BlockList, entry: string): void {
  const [address = "", prefix, extra] = entry.split("/");
  const ip = normaliseAddress(address);
  const family = net.isIPv4(ip) ? "ipv4" : net.isIPv6(ip) ? "ipv6" : null;
  if (!family || extra !== undefined) throw new Error(`"${entry}" is not an IP address or CIDR range`);
  if (prefix === undefined) return list.addAddress(ip, family);
  const bits = Number(prefix);
  if (!/^\d+$/.test(prefix) || bits > (family === "ipv4" ? 32 : 128)) throw new Error(`"${entry}" has an invalid prefix length`);
  list.addSubnet(ip, bits, family);
}

/**
 * Parses SAFEHOLD_TRUSTED_PROXIES: unset or empty trusts nobody; a number is a hop count (0 to 10); anything else
 * is a comma-separated list of addresses and CIDR ranges. Throws a message naming what is wrong.
 */
export function parseTrustedProxies(value: string | undefined): TrustedProxies {
  const text = (value ?? "").trim();
  if (text === "") return { kind: "none" };
  if (/^\d+$/.test(text)) {
    const count = Number(text);
    if (count > MAX_PROXY_HOPS) throw new Error(`a hop count must be between 0 and ${MAX_PROXY_HOPS}`);
    return count === 0 ? { kind: "none" } : { kind: "hops", count };
  }
  const list = new net.BlockList();
  for (const entry of text.split(",").map((e) => e.trim())) {
    if (entry) addEntry(list, entry);
  }
  return { kind: "addresses", list };
}

/**
 * Whether a peer at `address` (already normalised) is a trusted proxy: with a hop count the socket's peer always is
 * (it is the nearest of the counted proxies), with a list only a listed address is, with none nobody is.
 */
export function isTrustedProxy(trusted: TrustedProxies, address: string): boolean {
  if (trusted.kind !== "addresses") return trusted.kind === "hops";
  const family = net.isIPv4(address) ? "ipv4" : net.isIPv6(address) ? "ipv6" : null;
  return family !== null && trusted.list.check(address, family);
}
