import { asc, eq } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { DbOrTx } from "@/server/db";
import { backupArtifacts, backups, environments, organizations, projects, restores, servers, storageLocations, users } from "@/server/db/schema";

/** A restore with everything its run needs: the backup and its artifacts, the target environment, its server, the storage. */
export async function loadRestoreJob(db: DbOrTx, restoreId: string) {
  const requester = alias(users, "requester");
  const [row] = await db
    .select({
      restore: restores,
      backup: backups,
      target: environments,
      project: projects,
      organization: organizations,
      server: servers,
      storage: storageLocations,
      requester: { id: requester.id, email: requester.email },
    })
    .from(restores)
    .innerJoin(organizations, eq(organizations.id, restores.orgId))
    .leftJoin(backups, eq(backups.id, restores.backupId))
    .leftJoin(environments, eq(environments.id, restores.targetEnvironmentId))
    .leftJoin(projects, eq(projects.id, environments.projectId))
    .leftJoin(servers, eq(servers.id, environments.serverId))
    .leftJoin(storageLocations, eq(storageLocations.id, backups.storageLocationId))
    .leftJoin(requester, eq(requester.id, restores.requestedBy))
    .where(eq(restores.id, restoreId));
  if (!row) return undefined;
  const artifacts = row.backup ? await db.select().from(backupArtifacts).where(eq(backupArtifacts.backupId, row.backup.id)).orderBy(asc(backupArtifacts.createdAt)) : [];
  return { ...row, artifacts };
}

export type RestoreJob = NonNullable<Awaited<ReturnType<typeof loadRestoreJob>>>;
