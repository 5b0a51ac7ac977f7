import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import { ARTIFACT_KINDS, backupArtifacts } from "@/server/db/schema";
import type { StorageClient } from "@/server/plugins/contracts";
import { artifactKey } from "./keys";

/**
 * Removes every object a backup may have in storage: the artifacts it recorded and, for a run that died
 * before recording them, the keys it would have used. Deleting a missing object is not an error.
 */
export async function removeBackupObjects(db: DbOrTx, storage: StorageClient, backup: { id: string; orgId: string; projectId: string; environmentId: string }): Promise<void> {
  const stored = await db.select({ key: backupArtifacts.key }).from(backupArtifacts).where(eq(backupArtifacts.backupId, backup.id));
  const keys = new Set([...stored.map((a) => a.key), ...ARTIFACT_KINDS.map((kind) => artifactKey(backup, kind))]);
  for (const key of keys) await storage.delete(key);
}
