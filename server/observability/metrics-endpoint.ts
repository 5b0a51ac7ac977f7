import { getDb } from "@/server/db";
import { principalForToken } from "@/server/services/api-tokens";
import { renderMetrics } from "./metrics";

function unauthorized(message: string): Response {
  return new Response(JSON.stringify({ error: { code: "unauthorized", message } }), {
    status: 401,
    headers: { "content-type": "application/json", "cache-control": "no-store", "www-authenticate": 'Bearer realm="safehold"' },
  });
}

/**
 * `GET /metrics`: the API token's organization in Prometheus text format (`Authorization: Bearer <API token>`).
 * It shows what the dashboard shows every member, so any role may scrape: a viewer account's token is the
 * least a Prometheus server needs to hold (an admin's would also let whoever reads its config change things).
 */
export async function serveMetrics(req: Request): Promise<Response> {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "");
  if (!match) return unauthorized("Send an API token: Authorization: Bearer <token> (Settings › Account)");
  const db = getDb();
  const principal = await principalForToken(db, match[1]!);
  if (!principal) return unauthorized("The API token is unknown, revoked or expired");
  const { contentType, body } = await renderMetrics(db, principal);
  return new Response(body, { status: 200, headers: { "content-type": contentType, "cache-control": "no-store" } });
}
