const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function isJson(contentType: string | null): boolean {
  return contentType?.split(";", 1)[0]!.trim().toLowerCase() === "application/json";
}

/**
 * A mutation sent with the browser's cookies (no Authorization header) must be JSON. A sibling site (same site,
 * other origin) can make a browser send a body-less, `text/plain`, form or multipart POST with the session cookie,
 * but not `application/json` without a CORS preflight the console never answers. Returns the 415 answer, or null
 * when the request may go on. Bearer-token requests cannot be forged that way and are left alone.
 */
export function refuseCookieMutationWithoutJson(req: Request): Response | null {
  if (!MUTATING.has(req.method) || req.headers.has("authorization") || isJson(req.headers.get("content-type"))) return null;
  const message = "A request signed in with the session cookie that changes something must send Content-Type: application/json";
  return Response.json({ error: { code: "unsupported_media_type", message } }, { status: 415 });
}
