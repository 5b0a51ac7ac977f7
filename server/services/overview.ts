import { and, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { environments, memberships, projects, servers, storageLocations } from "@/server/db/schema";

export const overviewOutput = z.object({
  projects: z.number(),
  environments: z.number(),
  servers: z.number(),
  storageLocations: z.number(),
  members: z.number(),
});

function countIn(db: DbOrTx, table: typeof projects | typeof environments | typeof servers | typeof storageLocations | typeof memberships, orgId: string) {
  // Archived (destroyed, offboarded) projects and environments are out of the counts.
  const active = "archivedAt" in table ? isNull(table.archivedAt) : undefined;
  return db
    .select({ n: sql<number>`count(*)::int` })
    .from(table)
    .where(and(eq(table.orgId, orgId), active))
    .then(([row]) => row?.n ?? 0);
}

/** What the dashboard's "Getting started" checks of the organization's setup. */
export async function getOverview(db: DbOrTx, actor: Principal) {
  const [projectCount, environmentCount, serverCount, storageCount, memberCount] = await Promise.all([
    countIn(db, projects, actor.orgId),
    countIn(db, environments, actor.orgId),
    countIn(db, servers, actor.orgId),
    countIn(db, storageLocations, actor.orgId),
    countIn(db, memberships, actor.orgId),
  ]);
  return {
    projects: projectCount,
    environments: environmentCount,
    servers: serverCount,
    storageLocations: storageCount,
    members: memberCount,
  };
}
