import { hasRole } from "@/server/auth/principal";
import { getDb } from "@/server/db";
import { activityFilterInput } from "@/server/services/activity-filters";
import { activityCsv, activityCsvFileName } from "@/server/services/activity-export";
import { requestPrincipal } from "./context";

function refuse(status: number, code: string, message: string, fields?: Record<string, string>): Response {
  return Response.json({ error: { code, message, ...(fields ? { fields } : {}) } }, { status, headers: { "cache-control": "no-store" } });
}

/**
 * `GET /api/v1/activity.csv?…`: the activity log under the same filters as `GET /api/v1/activity`, as a CSV file,
 * streamed. Signed-in members and API tokens alike, viewer and up, their own organization only (as the list).
 */
export async function serveActivityCsv(req: Request): Promise<Response> {
  const principal = await requestPrincipal(req);
  if (!principal) return refuse(401, "unauthorized", "Sign in or send an API token (Authorization: Bearer ...)");
  if (principal.pending || !hasRole(principal.role, "viewer")) return refuse(403, "forbidden", "Your account cannot read the activity log until its pending step is done (Settings › Account)");
  const parsed = activityFilterInput.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) {
    const fields = Object.fromEntries(parsed.error.issues.map((i) => [i.path.join(".") || "input", i.message]));
    return refuse(400, "bad_request", `Invalid filters: ${Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join("; ")}`, fields);
  }
  const lines = activityCsv(getDb(), principal, parsed.data);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await lines.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      } catch (err) {
        controller.error(err);
      }
    },
    async cancel() {
      await lines.return(undefined);
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${activityCsvFileName()}"`,
      "cache-control": "no-store",
    },
  });
}
