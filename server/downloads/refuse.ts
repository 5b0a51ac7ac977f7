import { escapeHtml } from "@/server/http/escape-html";

/** A short answer a browser shows as a page and a script reads as JSON. */
export function refuse(request: Request, status: number, code: string, message: string): Response {
  if ((request.headers.get("accept") ?? "").includes("application/json")) {
    return Response.json({ error: { code, message } }, { status, headers: { "cache-control": "no-store" } });
  }
  const page = `<!doctype html><meta charset="utf-8"><title>Safehold download</title><body style="font-family:system-ui;max-width:32rem;margin:4rem auto;color:#0f172a"><h1 style="font-size:1.25rem">This download link cannot be used</h1><p>${escapeHtml(message)}</p></body>`;
  return new Response(page, { status, headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } });
}
