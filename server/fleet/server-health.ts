import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { getFleetHealth } from "./fleet-health";

const serverHealthItem = z.object({
  serverId: z.string(),
  /** Its active environments of active clients. */
  environments: z.number(),
  /** Of those, how many have a failed newest run, and how many a last success too old for their policy. */
  failing: z.number(),
  overdue: z.number(),
});

export const serverHealthOutput = z.object({ servers: z.array(serverHealthItem) });
export type ServerHealth = z.infer<typeof serverHealthOutput>;

/**
 * Per server of the caller's organization, the health of the environments on it, judged exactly as the fleet view
 * judges them (so both pages agree); servers without environments are listed with zeros.
 */
export async function getServerHealth(db: DbOrTx, actor: Principal, now: Date = new Date()): Promise<ServerHealth> {
  const [fleet, placements] = await Promise.all([
    getFleetHealth(db, actor, {}, now),
    db.execute<{ server_id: string; environment_id: string | null }>(sql`
      select s.id as server_id, e.id as environment_id
      from servers s left join environments e on e.server_id = s.id and e.org_id = ${actor.orgId} and e.archived_at is null
      where s.org_id = ${actor.orgId}`),
  ]);
  const statusOf = new Map(fleet.projects.flatMap((p) => p.environments.map((e) => [e.environmentId, e.status] as const)));
  const perServer = new Map<string, z.infer<typeof serverHealthItem>>();
  for (const row of placements) {
    const item = perServer.get(row.server_id) ?? { serverId: row.server_id, environments: 0, failing: 0, overdue: 0 };
    perServer.set(row.server_id, item);
    const status = row.environment_id ? statusOf.get(row.environment_id) : undefined;
    if (!status) continue;
    item.environments += 1;
    if (status === "failing") item.failing += 1;
    if (status === "overdue") item.overdue += 1;
  }
  return { servers: [...perServer.values()] };
}
