import { getDb } from "@/server/db";
import { checkHealth } from "@/server/observability/health";

export const dynamic = "force-dynamic";

/** Unauthenticated by design (load balancers call it): 200 when all is well, else 503 naming what failed. */
export async function GET(): Promise<Response> {
  const health = await checkHealth(getDb());
  return Response.json(health, { status: health.status === "ok" ? 200 : 503, headers: { "cache-control": "no-store" } });
}
