import { inArray } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import { ARTIFACT_KINDS, backupArtifacts } from "@/server/db/schema";
import type { StorageClient } from "@/server/plugins/contracts";
import { artifactKey } from "./keys";

type BackupRef = { id: string; orgId: string; projectId: string; environmentId: string };

/**
 * Every object key each backup may have in storage, in one query: the artifacts it recorded and, for a run that
 * died before recording them, the keys it would have used.
 */
export async function backupObjectKeys(db: DbOrTx, list: BackupRef[]): Promise<Map<string, string[]>> {
  const keys = new Map(list.map((b) => [b.id, new Set(ARTIFACT_KINDS.map((kind) => artifactKey(b, kind)))]));
  if (list.length === 0) return new Map();
  const stored = await db.select({ backupId: backupArtifacts.backupId, key: backupArtifacts.key }).from(backupArtifacts).where(inArray(backupArtifacts.backupId, [...keys.keys()]));
  for (const a of stored) keys.get(a.backupId)?.add(a.key);
  return new Map([...keys].map(([id, set]) => [id, [...set]]));
}

/** Removes a backup's objects; deleting a missing object is not an error. */
export async function removeBackupObjects(db: DbOrTx, storage: StorageClient, backup: BackupRef, known?: string[]): Promise<void> {
  const keys = known ?? (await backupObjectKeys(db, [backup])).get(backup.id)!;
  for (const key of keys) await storage.delete(key);
}
