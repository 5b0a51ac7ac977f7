import type { ServerResponse } from "node:http";

/**
 * Next.js drops `Content-Length` from route responses, yet downloads need it (progress bars, resuming with
 * ranges). A route states the length under this internal name; the console's HTTP server sends it as
 * `Content-Length`, so the route and everything it uses stay inside Next's module graph.
 */
export const DECLARED_LENGTH_HEADER = "x-safehold-content-length";

/** Makes `res` send a declared length as `Content-Length` (the client never sees the internal name). */
export function restoreDeclaredLength(res: ServerResponse): void {
  const setHeader = res.setHeader.bind(res);
  res.setHeader = (name, value) => {
    if (name.toLowerCase() !== DECLARED_LENGTH_HEADER) return setHeader(name, value);
    const length = Array.isArray(value) ? value[0] : value;
    return /^\d+$/.test(String(length)) ? setHeader("content-length", String(length)) : res;
  };
}
