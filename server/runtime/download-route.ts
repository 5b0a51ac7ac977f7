import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { getDb } from "@/server/db";
import { serveDownload } from "@/server/downloads/serve-download";
import { pluginHost } from "@/server/plugins/process-host";

const PATH = /^\/download\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;

/**
 * Console-signed download links, served by the console's own HTTP server rather than a Next.js route: Next
 * drops `Content-Length` from route responses, and downloads need it (progress, resuming with ranges).
 * Returns false for any other path.
 */
export async function handleDownload(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const path = (req.url ?? "").split("?")[0]!;
  if (!path.startsWith("/download/")) return false;
  const match = PATH.exec(path);
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD" }).end();
    return true;
  }
  const headers = new Headers();
  for (const name of ["accept", "range"]) {
    const value = req.headers[name];
    if (typeof value === "string") headers.set(name, value);
  }
  const response = await serveDownload(getDb(), pluginHost(), new Request(`http://console${path}`, { headers }), match?.[1] ?? "");
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (req.method === "HEAD" || !response.body) {
    await response.body?.cancel();
    res.end();
    return true;
  }
  // A client that goes away mid-download ends the pipeline; the storage stream is closed with it.
  await pipeline(Readable.fromWeb(response.body as NodeReadableStream), res).catch(() => {});
  return true;
}
