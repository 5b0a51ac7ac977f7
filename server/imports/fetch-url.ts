import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { Transform, pipeline, type Readable } from "node:stream";
import { env } from "@/server/env";
import { blockedDestination } from "@/server/net/destination-policy";

const MAX_REDIRECTS = 5;
const CONNECT_TIMEOUT_MS = 30_000;
/** The largest file a URL import reads (a database of many hundreds of gigabytes is not imported from a link). */
export const MAX_URL_IMPORT_BYTES = 1024 ** 4;

/** Why `value` is not a URL the console may fetch from, or null. Checked when the import is asked for, and again at each hop. */
export async function refusedUrl(value: string): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "The import URL is not a valid URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "The import URL must start with http:// or https://";
  if (url.username || url.password) return "The import URL must not carry a user name or password";
  const why = await blockedDestination(url.hostname.replace(/^\[(.*)\]$/, "$1"), env().allowLinkLocal);
  return why ? `Cannot import from ${url.host}: ${why}` : null;
}

/** A DNS lookup that refuses the addresses the destination policy refuses, so a name cannot be re-pointed between check and connect. */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, found: LookupAddress[]) => {
    if (err) return callback(err, "", 4);
    void Promise.all(found.map((a) => blockedDestination(a.address, env().allowLinkLocal))).then((reasons) => {
      const why = reasons.find(Boolean);
      if (why) return callback(new Error(`Cannot import from ${hostname}: ${why}`), "", 4);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, found);
      callback(null, found[0]!.address, found[0]!.family);
    });
  });
};

function get(url: URL, signal: AbortSignal): Promise<http.IncomingMessage> {
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.get(url, { lookup: guardedLookup, signal, timeout: CONNECT_TIMEOUT_MS, headers: { "user-agent": "Safehold import" } }, resolve);
    request.once("timeout", () => request.destroy(new Error(`${url.host} did not answer within ${CONNECT_TIMEOUT_MS / 1000} s`)));
    request.once("error", reject);
  });
}

/** Errors once more than `limit` bytes have passed. */
function sizeLimit(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      done(seen > limit ? new Error(`The file at the URL is larger than the ${limit} bytes an import reads`) : null, chunk);
    },
  });
}

/**
 * Streams the file at `value` (http or https), following up to five redirects, each target checked against the
 * destination policy like the first; the file name is the last part of the final URL's path.
 */
export async function fetchImportUrl(value: string, signal: AbortSignal): Promise<{ fileName: string; stream: Readable }> {
  let url = new URL(value);
  for (let hop = 0; ; hop++) {
    const refused = await refusedUrl(url.href);
    if (refused) throw new Error(refused);
    const response = await get(url, signal).catch((err: Error) => {
      throw new Error(`Could not fetch the import URL: ${err.message}`);
    });
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location) {
      response.resume();
      if (hop >= MAX_REDIRECTS) throw new Error(`The import URL redirected more than ${MAX_REDIRECTS} times`);
      url = new URL(response.headers.location, url);
      continue;
    }
    if (status !== 200) {
      response.resume();
      throw new Error(`The import URL answered HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ""}`);
    }
    const declared = Number(response.headers["content-length"]);
    if (declared > MAX_URL_IMPORT_BYTES) {
      response.destroy();
      throw new Error(`The file at the URL is larger than the ${MAX_URL_IMPORT_BYTES} bytes an import reads`);
    }
    const fileName = decodeURIComponent(url.pathname.split("/").pop() ?? "") || url.hostname;
    return { fileName, stream: pipeline(response, sizeLimit(MAX_URL_IMPORT_BYTES), () => {}) };
  }
}
