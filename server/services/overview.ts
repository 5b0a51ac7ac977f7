import { and, eq, gt, sql } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { activityLog, environments, memberships, projects, servers, storageLocations } from "@/server/db/schema";

export const overviewOutput = z.object({
  projects: z.number(),
  environments: z.number(),
  servers: z.number(),
  storageLocations: z.number(),
  members: z.number(),
  failuresLast24h: z.number(),
});

function countIn(db: DbOrTx, table: typeof projects | typeof environments | typeof servers | typeof storageLocations | typeof memberships, orgId: string) {
  return db
    .select({ n: sql<number>`count(*)::int` })
    .from(table)
    .where(eq(table.orgId, orgId))
    .then(([row]) => row?.n ?? 0);
}

/** What the dashboard shows of the organization's setup, and whether anything failed lately. */
export async function getOverview(db: DbOrTx, actor: Principal) {
  const [projectCount, environmentCount, serverCount, storageCount, memberCount, failures] = await Promise.all([
    countIn(db, projects, actor.orgId),
    countIn(db, environments, actor.orgId),
    countIn(db, servers, actor.orgId),
    countIn(db, storageLocations, actor.orgId),
    countIn(db, memberships, actor.orgId),
    db
      .select({ n: sql<number>`count(*)::int` })
      .from(activityLog)
      .where(and(eq(activityLog.orgId, actor.orgId), eq(activityLog.outcome, "failure"), gt(activityLog.createdAt, sql`now() - interval '24 hours'`)))
      .then(([row]) => row?.n ?? 0),
  ]);
  return {
    projects: projectCount,
    environments: environmentCount,
    servers: serverCount,
    storageLocations: storageCount,
    members: memberCount,
    failuresLast24h: failures,
  };
}
