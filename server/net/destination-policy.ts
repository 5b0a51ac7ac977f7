import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

/**
 * Addresses a caller must not make the console reach: link-local ranges, where clouds serve instance metadata
 * (and its credentials) to whoever asks from the machine, and the metadata services that live elsewhere.
 */
const blocked = new BlockList();
blocked.addSubnet("169.254.0.0", 16, "ipv4");
blocked.addSubnet("fe80::", 10, "ipv6");
blocked.addAddress("100.100.100.200", "ipv4"); // Alibaba Cloud metadata
blocked.addAddress("168.63.129.16", "ipv4"); // Azure host services
blocked.addAddress("fd00:ec2::254", "ipv6"); // AWS metadata over IPv6

const METADATA_NAMES = new Set(["metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal"]);

const LOOKUP_TIMEOUT_MS = 3000;

export const ALLOW_LINK_LOCAL_VARIABLE = "SAFEHOLD_ALLOW_LINK_LOCAL";

function isBlockedAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1]!, "ipv4");
  const family = isIP(address);
  return family === 4 ? blocked.check(address, "ipv4") : family === 6 ? blocked.check(address, "ipv6") : false;
}

/** The host of a `hostname` or `uri` value; null when there is none to judge. */
export function destinationHost(value: string, format: "hostname" | "uri"): string | null {
  if (format === "hostname") return value.trim().replace(/^\[(.*)\]$/, "$1").toLowerCase() || null;
  try {
    return new URL(value.trim()).hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase() || null;
  } catch {
    return null;
  }
}

async function resolve(host: string): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string[]>((done) => (timer = setTimeout(() => done([]), LOOKUP_TIMEOUT_MS)));
  try {
    // A name that does not resolve here cannot be judged; the connection attempt will say so.
    const found = lookup(host, { all: true, verbatim: true }).then((r) => r.map((a) => a.address), () => []);
    return await Promise.race([found, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Why `host` may not be reached, or null. Names are resolved here as well, so `2852039166` or a DNS name
 * pointing at 169.254.169.254 are caught like the address itself.
 */
export async function blockedDestination(host: string, allowLinkLocal: boolean): Promise<string | null> {
  if (allowLinkLocal) return null;
  const name = host.replace(/\.$/, "");
  const why = `${host} is a link-local or cloud metadata address, which Safehold does not reach (set ${ALLOW_LINK_LOCAL_VARIABLE}=1 where such an address is really meant)`;
  if (METADATA_NAMES.has(name) || isBlockedAddress(name)) return why;
  if (isIP(name)) return null;
  const addresses = await resolve(name);
  return addresses.some(isBlockedAddress) ? why : null;
}
