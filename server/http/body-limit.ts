import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * The largest request body the console accepts, on every path: the API, tRPC and sign-in routes read JSON or form
 * bodies far smaller, and no route takes uploads. One cap for all paths leaves no spelling of a path
 * (`/%61pi/trpc`, `//api/v1`) that skips it.
 */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Resumable uploads of files to import (tus, app/api/uploads): their bodies stream on into the import as they
 * arrive, so this exact path, as the client spelled it, is the one exemption from the cap; any other spelling of
 * it is capped like the rest.
 */
export function isUploadPath(url: string | undefined): boolean {
  return url === "/api/uploads" || (url?.startsWith("/api/uploads/") ?? false);
}

/** Whether the request declares a body over the cap (Content-Length), so it is refused before a byte is read. */
export function declaresTooLarge(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return length !== undefined && (!/^\d+$/.test(length) || Number(length) > MAX_BODY_BYTES);
}

/**
 * Takes the whole body in, counting it, before anything else reads it: the HTTP parser hands body chunks to the
 * request's `push`, so they are kept here until the body has ended within the cap, then given to the request in
 * one piece for Next to read as usual. Past the cap, chunks are dropped as they arrive (never held) and the
 * promise says "too_large" at once; "aborted" when the client went away first.
 */
export function bufferBodyWithinCap(req: IncomingMessage): Promise<"ok" | "too_large" | "aborted"> {
  return new Promise((resolve) => {
    const push = req.push.bind(req);
    const chunks: Buffer[] = [];
    let size = 0;
    req.push = (chunk: Buffer | null, encoding?: BufferEncoding) => {
      if (chunk !== null) {
        size += chunk.length;
        if (size <= MAX_BODY_BYTES) chunks.push(chunk);
        else {
          chunks.length = 0;
          resolve("too_large");
        }
        return true;
      }
      req.push = push;
      if (size <= MAX_BODY_BYTES) {
        if (size > 0) push(Buffer.concat(chunks));
        resolve("ok");
      }
      // A refused body ends empty, so the request completes and the connection can serve the next one.
      return push(null, encoding);
    };
    req.once("close", () => resolve("aborted"));
  });
}

/**
 * The 413 answer, in the API's error shape. What is left of the body is discarded as it arrives (Node's handling of
 * a body nobody reads): closing at once would reset the connection under a client still sending, which then
 * never sees the answer.
 */
export function refuseTooLarge(res: ServerResponse): void {
  const body = JSON.stringify({ error: { code: "payload_too_large", message: `The request body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MB` } });
  res.writeHead(413, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}
