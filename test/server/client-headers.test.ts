import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { setClientHeaders } from "@/server/http/client-headers";
import { clientAddress, clientUsedHttps } from "@/server/http/client-request";
import { parseTrustedProxies } from "@/server/http/trusted-proxies";

let server: http.Server | undefined;

/** An HTTP server on `host` that runs the console's setClientHeaders and answers what code behind it would read. */
async function serve(host: string, trusted: string | undefined): Promise<string> {
  server = http.createServer((req, res) => {
    setClientHeaders(req, parseTrustedProxies(trusted));
    res.end(JSON.stringify({ address: clientAddress(req.headers), https: clientUsedHttps(req.headers) }));
  });
  await new Promise<void>((resolve) => server!.listen(0, host, resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function ask(url: string, headers: Record<string, string> = {}): Promise<{ address: string | null; https: boolean }> {
  return (await (await fetch(url, { headers })).json()) as { address: string | null; https: boolean };
}

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

describe("the client headers the console's HTTP server sets", () => {
  const spoofed = { "x-safehold-client-address": "203.0.113.50", "x-safehold-client-proto": "https", "x-forwarded-for": "198.51.100.9", "x-forwarded-proto": "https" };

  it("replace a client's own copies with the socket's peer when no proxy is trusted", async () => {
    // A dual-stack listener sees 127.0.0.1 as ::ffff:127.0.0.1.
    const url = await serve("::", undefined);
    expect(await ask(url, spoofed)).toEqual({ address: "127.0.0.1", https: false });
  });

  it("take X-Forwarded-For and X-Forwarded-Proto from a trusted proxy, and still drop the client's copies", async () => {
    const url = await serve("127.0.0.1", "127.0.0.1");
    expect(await ask(url, spoofed)).toEqual({ address: "198.51.100.9", https: true });
    expect(await ask(url, { "x-safehold-client-address": "203.0.113.50" })).toEqual({ address: "127.0.0.1", https: false });
  });

  it("ignore forwarded headers from a peer that is not a trusted proxy", async () => {
    const url = await serve("127.0.0.1", "10.0.0.0/8");
    expect(await ask(url, spoofed)).toEqual({ address: "127.0.0.1", https: false });
  });
});
