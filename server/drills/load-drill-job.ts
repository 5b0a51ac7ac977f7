import { and, desc, eq } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { DbOrTx } from "@/server/db";
import { backupArtifacts, backups, environments, organizations, projects, restoreDrills, servers, storageLocations } from "@/server/db/schema";

/** A drill with what its run needs: the environment, its project, and the server the scratch copy is made on. */
export async function loadDrillJob(db: DbOrTx, drillId: string) {
  const ownServer = alias(servers, "own_server");
  const [row] = await db
    .select({ drill: restoreDrills, environment: environments, project: projects, organization: organizations, drillServer: servers, ownServer })
    .from(restoreDrills)
    .innerJoin(organizations, eq(organizations.id, restoreDrills.orgId))
    .innerJoin(environments, eq(environments.id, restoreDrills.environmentId))
    .innerJoin(projects, eq(projects.id, environments.projectId))
    .leftJoin(servers, eq(servers.id, restoreDrills.serverId))
    .leftJoin(ownServer, eq(ownServer.id, environments.serverId))
    .where(eq(restoreDrills.id, drillId));
  if (!row) return undefined;
  // A drill asked for a server that was deleted since does not silently fall back to the environment's own.
  const server = row.drill.serverId ? row.drillServer : row.ownServer;
  return { ...row, server };
}

export type DrillJob = NonNullable<Awaited<ReturnType<typeof loadDrillJob>>>;

/** The environment's latest completed, verified backup, with its storage location and artifacts. */
export async function latestVerifiedBackup(db: DbOrTx, environmentId: string) {
  const [row] = await db
    .select({ backup: backups, storage: storageLocations })
    .from(backups)
    .leftJoin(storageLocations, eq(storageLocations.id, backups.storageLocationId))
    .where(and(eq(backups.environmentId, environmentId), eq(backups.status, "completed"), eq(backups.verified, true)))
    .orderBy(desc(backups.finishedAt))
    .limit(1);
  if (!row) return undefined;
  const artifacts = await db.select().from(backupArtifacts).where(eq(backupArtifacts.backupId, row.backup.id));
  return { ...row, artifacts };
}
