import { describe, expect, it } from "vitest";
import { readEnv } from "@/server/env";
import { resolveClientOrigin, type ConnectionFacts } from "@/server/http/client-origin";
import { parseTrustedProxies } from "@/server/http/trusted-proxies";

/** An environment holding only `vars` (readEnv fills in the defaults). */
function envOf(vars: Record<string, string>): NodeJS.ProcessEnv {
  return vars as NodeJS.ProcessEnv;
}

function origin(trusted: string | undefined, facts: Partial<ConnectionFacts>) {
  return resolveClientOrigin({ socketAddress: "10.0.0.2", tls: false, forwardedFor: undefined, forwardedProto: undefined, ...facts }, parseTrustedProxies(trusted));
}

describe("SAFEHOLD_TRUSTED_PROXIES", () => {
  it("accepts nothing, a hop count from 0 to 10, or addresses and CIDR ranges", () => {
    expect(parseTrustedProxies(undefined)).toEqual({ kind: "none" });
    expect(parseTrustedProxies(" ")).toEqual({ kind: "none" });
    expect(parseTrustedProxies("0")).toEqual({ kind: "none" });
    expect(parseTrustedProxies("2")).toEqual({ kind: "hops", count: 2 });
    expect(parseTrustedProxies("10.0.0.0/8, 192.0.2.7 ,::1,fd00::/8").kind).toBe("addresses");
  });

  it("refuses anything else with a message that names the entry", () => {
    expect(() => parseTrustedProxies("11")).toThrow("between 0 and 10");
    expect(() => parseTrustedProxies("10.0.0.0/33")).toThrow('"10.0.0.0/33" has an invalid prefix length');
    expect(() => parseTrustedProxies("fd00::/129")).toThrow("invalid prefix length");
    expect(() => parseTrustedProxies("10.0.0.0/8/1")).toThrow("not an IP address");
    expect(() => parseTrustedProxies("proxy.internal")).toThrow('"proxy.internal" is not an IP address or CIDR range');
    expect(() => parseTrustedProxies("-1")).toThrow("not an IP address");
  });

  it("is a startup error when it is wrong", () => {
    expect(() => readEnv(envOf({ SAFEHOLD_TRUSTED_PROXIES: "all" }))).toThrow(/Invalid configuration:\n {2}SAFEHOLD_TRUSTED_PROXIES: "all" is not an IP address/);
    expect(readEnv(envOf({ SAFEHOLD_TRUSTED_PROXIES: "1" })).trustedProxies).toEqual({ kind: "hops", count: 1 });
    expect(readEnv(envOf({})).trustedProxies).toEqual({ kind: "none" });
  });
});

describe("the client's address and scheme", () => {
  it("is the socket's peer when no proxy is trusted, whatever the headers claim", () => {
    expect(origin(undefined, { forwardedFor: "203.0.113.9", forwardedProto: "https" })).toEqual({ address: "10.0.0.2", proto: "http" });
    expect(origin(undefined, { socketAddress: "::ffff:192.0.2.1" })).toEqual({ address: "192.0.2.1", proto: "http" });
    expect(origin(undefined, { socketAddress: "::1", tls: true })).toEqual({ address: "::1", proto: "https" });
  });

  it("counts hops from the right with a hop count", () => {
    const facts = { forwardedFor: "198.51.100.1, 198.51.100.2, 198.51.100.3", forwardedProto: "http, https" };
    expect(origin("1", facts)).toEqual({ address: "198.51.100.3", proto: "https" });
    expect(origin("2", facts)).toEqual({ address: "198.51.100.2", proto: "https" });
    expect(origin("3", facts).address).toBe("198.51.100.1");
    // Fewer entries than hops: the farthest one there is.
    expect(origin("5", facts).address).toBe("198.51.100.1");
    expect(origin("1", {}).address).toBe("10.0.0.2");
    // Repeated headers, as Node hands them over.
    expect(origin("1", { forwardedFor: ["198.51.100.1", "198.51.100.4"] }).address).toBe("198.51.100.4");
    expect(origin("1", { forwardedProto: ["https", "http"] }).proto).toBe("http");
  });

  it("with an address list, reads the headers only from a listed peer and skips listed hops", () => {
    const trusted = "10.0.0.0/24, 172.16.0.9";
    const facts = { forwardedFor: "203.0.113.66, 198.51.100.7, 172.16.0.9", forwardedProto: "https" };
    expect(origin(trusted, facts)).toEqual({ address: "198.51.100.7", proto: "https" });
    expect(origin(trusted, { ...facts, socketAddress: "::ffff:10.0.0.200" }).address).toBe("198.51.100.7");
    expect(origin(trusted, { ...facts, socketAddress: "10.0.1.2" })).toEqual({ address: "10.0.1.2", proto: "http" });
    // Every hop trusted: the leftmost.
    expect(origin(trusted, { forwardedFor: "10.0.0.5, 172.16.0.9" }).address).toBe("10.0.0.5");
    expect(origin("::1, 2001:db8::/32", { socketAddress: "::1", forwardedFor: "2001:DB8::5, 2001:db9::1" }).address).toBe("2001:db9::1");
  });

  it("never takes something that is not an address: the walk stops at the last address a trusted proxy gave", () => {
    expect(origin("2", { forwardedFor: "198.51.100.1, not-an-ip" }).address).toBe("10.0.0.2");
    expect(origin("2", { forwardedFor: `${"1".repeat(70)}, 198.51.100.3` }).address).toBe("198.51.100.3");
    expect(origin("1", { forwardedFor: "198.51.100.1:4431" }).address).toBe("10.0.0.2");
    expect(origin("1", { forwardedFor: `${"a:".repeat(40)}1` }).address).toBe("10.0.0.2");
    expect(origin(undefined, { socketAddress: undefined }).address).toBeNull();
  });
});
