import net from "node:net";
import { isTrustedProxy, normaliseAddress, type TrustedProxies } from "./trusted-proxies";

/** Longer than any IP address (with an IPv6 zone); what is longer is not an address. */
export const MAX_ADDRESS_LENGTH = 64;

export type ConnectionFacts = {
  /** `req.socket.remoteAddress`: the peer, a proxy or the client itself. */
  socketAddress: string | undefined;
  /** Whether the peer reached the console over TLS. */
  tls: boolean;
  forwardedFor: string | string[] | undefined;
  forwardedProto: string | string[] | undefined;
};

export type ClientOrigin = { address: string | null; proto: "http" | "https" };

function asAddress(value: string | undefined): string | null {
  if (value === undefined || value.length > MAX_ADDRESS_LENGTH) return null;
  const address = normaliseAddress(value);
  return net.isIP(address) ? address : null;
}

/** The entries of every X-Forwarded-For header (Node joins repeated ones with ", "), nearest proxy's last. */
function forwardedChain(header: string | string[] | undefined): string[] {
  return [header ?? []].flat().join(",").split(",").map((e) => e.trim()).filter(Boolean);
}

/**
 * Walks X-Forwarded-For from the right, one hop per trusted proxy: a hop count trusts that many hops, an address
 * list trusts hops while they come from a listed proxy. The first hop not vouched for is the client. An entry that
 * is not an address ends the walk at the last address a trusted proxy gave (the nearest one we can stand behind).
 */
function walkForwardedFor(peer: string, chain: string[], trusted: TrustedProxies): string {
  let client = peer;
  for (let hop = 1; chain.length > 0; hop++) {
    const vouched = trusted.kind === "hops" ? hop <= trusted.count : isTrustedProxy(trusted, client);
    if (!vouched) break;
    const next = asAddress(chain.pop());
    if (!next) break;
    client = next;
  }
  return client;
}

/**
 * Who the client is and how it reached the console. X-Forwarded-For and X-Forwarded-Proto are read only when the
 * socket's peer is a trusted proxy; otherwise anyone could claim any address (and dodge sign-in throttling).
 */
export function resolveClientOrigin(facts: ConnectionFacts, trusted: TrustedProxies): ClientOrigin {
  const peer = asAddress(facts.socketAddress);
  if (!peer || !isTrustedProxy(trusted, peer)) return { address: peer, proto: facts.tls ? "https" : "http" };
  const proto = forwardedChain(facts.forwardedProto).pop()?.toLowerCase() === "https" || facts.tls ? "https" : "http";
  return { address: walkForwardedFor(peer, forwardedChain(facts.forwardedFor), trusted), proto };
}
