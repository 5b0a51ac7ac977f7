import { eq } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { DbOrTx } from "@/server/db";
import { backups, environments, organizations, projects, servers, storageLocations, users } from "@/server/db/schema";

/** A backup with everything its run needs: environment, project, organization, server, storage, requester. */
export async function loadBackupJob(db: DbOrTx, backupId: string) {
  const requester = alias(users, "requester");
  const [row] = await db
    .select({
      backup: backups,
      environment: environments,
      project: projects,
      organization: organizations,
      server: servers,
      storage: storageLocations,
      requester: { id: requester.id, email: requester.email },
    })
    .from(backups)
    .innerJoin(environments, eq(environments.id, backups.environmentId))
    .innerJoin(projects, eq(projects.id, backups.projectId))
    .innerJoin(organizations, eq(organizations.id, backups.orgId))
    .innerJoin(servers, eq(servers.id, environments.serverId))
    .leftJoin(storageLocations, eq(storageLocations.id, backups.storageLocationId))
    .leftJoin(requester, eq(requester.id, backups.requestedBy))
    .where(eq(backups.id, backupId));
  return row;
}

export type BackupJob = NonNullable<Awaited<ReturnType<typeof loadBackupJob>>>;
