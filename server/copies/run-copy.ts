import { and, eq, sql } from "drizzle-orm";
import { hashStoredObject, streamToStorage } from "@/server/backups/stream-to-storage";
import type { Db } from "@/server/db";
import { backupArtifacts, backupCopies, backups, storageLocations } from "@/server/db/schema";
import { asObjectWriter } from "@/server/filestore/location-lock";
import { queueSweeps } from "@/server/filestore/sweep-queue";
import { oneLine } from "@/server/jobs/run-failure";
import type { HostedStorageClient } from "@/server/plugins/conform";
import type { PluginHost } from "@/server/plugins/host";
import { openStorage } from "@/server/services/plugin-config";
import { copyFilestoreObjects, referenceCopiedObjects } from "./copy-objects";
import { openBackupReadLocation, type BackupReadLocation } from "./read-location";

export type CopyOutcome = { status: "completed" | "gone" } | { status: "retry" | "failed"; error: string };

const short = (sha256: string) => `${sha256.slice(0, 12)}…`;

/**
 * One attempt at a second copy: streams each stored object of the backup (the manifest last) from the first
 * healthy location holding it to the copy location under the same key, checks the bytes that passed against
 * the catalog, then reads each one back from the copy location and checks its size and sha256 again; an incremental
 * filestore's objects the copy location does not hold yet go first (see copy-objects.ts). Nothing is held in memory
 * or on disk. `attempt` counts from 1; on the last one a failure is final.
 */
export async function runCopy(db: Db, plugins: PluginHost, copyId: string, attempt: { number: number; max: number }, signal: AbortSignal): Promise<CopyOutcome> {
  const [row] = await db
    .select({ copy: backupCopies, backup: backups, location: storageLocations })
    .from(backupCopies)
    .innerJoin(backups, eq(backups.id, backupCopies.backupId))
    .innerJoin(storageLocations, eq(storageLocations.id, backupCopies.storageLocationId))
    .where(eq(backupCopies.id, copyId));
  // Settled, or its backup is no longer kept: nothing to copy.
  if (!row || row.copy.status === "completed" || row.copy.status === "failed" || row.backup.status !== "completed") return { status: "gone" };
  await db
    .update(backupCopies)
    .set({ status: "copying", attempts: sql`${backupCopies.attempts} + 1` })
    .where(eq(backupCopies.id, copyId));
  const artifacts = (await db.select().from(backupArtifacts).where(eq(backupArtifacts.backupId, row.backup.id))).sort((a, b) => Number(a.kind === "manifest") - Number(b.kind === "manifest"));
  // An incremental filestore's objects are copied with it, as a writer of the copy location's objects.
  const hasObjects = artifacts.some((a) => a.layout === "objects");
  let from: BackupReadLocation | undefined;
  let to: HostedStorageClient | undefined;
  try {
    const source = (from = await openBackupReadLocation(db, plugins, row.backup, { except: row.location.id }));
    const target = (to = await openStorage(plugins, row.location));
    const copyAll = async (): Promise<CopyOutcome> => {
      if (hasObjects) {
        await copyFilestoreObjects(db, row.backup, { locationId: source.location.id, name: source.location.name, storage: source.storage }, { locationId: row.location.id, name: row.location.name, storage: target }, signal);
      }
      for (const artifact of artifacts) {
        const passed = await streamToStorage(await source.storage.get(artifact.key), target, artifact.key, { gzip: false, onSourceBytes: () => {}, signal });
        if (passed.size !== artifact.size || passed.sha256 !== artifact.sha256) {
          throw new Error(`The ${artifact.kind} file read from ${source.location.name} does not match the catalog (sha256 ${short(passed.sha256)}, expected ${short(artifact.sha256)})`);
        }
        const check = await hashStoredObject(target, artifact.key);
        if (check.size !== artifact.size || check.sha256 !== artifact.sha256) {
          throw new Error(`The ${artifact.kind} file read back from ${row.location.name} does not match what was written (sha256 ${short(check.sha256)}, expected ${short(artifact.sha256)})`);
        }
      }
      const done = await db.transaction(async (tx) => {
        const marked = await tx
          .update(backupCopies)
          .set({ status: "completed", verifiedAt: new Date(), sizeBytes: artifacts.reduce((sum, a) => sum + a.size, 0), error: null })
          .where(and(eq(backupCopies.id, copyId), eq(backupCopies.status, "copying"), sql`exists (select 1 from ${backups} where ${backups.id} = ${row.backup.id} and ${backups.status} = 'completed')`))
          .returning({ id: backupCopies.id });
        if (marked.length > 0 && hasObjects) await referenceCopiedObjects(tx, row.backup.id, source.location.id, row.location.id);
        return marked.length > 0;
      });
      if (!done) {
        // The backup was deleted or expired while it was copied: what this attempt wrote must not stay behind.
        for (const artifact of artifacts) await target.delete(artifact.key).catch(() => {});
        if (hasObjects) await queueSweeps(db, [row.location.id]);
        return { status: "gone" };
      }
      return { status: "completed" };
    };
    return hasObjects ? await asObjectWriter(db, row.location.id, copyAll) : await copyAll();
  } catch (err) {
    const error = oneLine(err);
    const last = attempt.number >= attempt.max;
    await db
      .update(backupCopies)
      .set({ status: last ? "failed" : "pending", error })
      .where(eq(backupCopies.id, copyId));
    return { status: last ? "failed" : "retry", error };
  } finally {
    await from?.storage.close().catch(() => {});
    await to?.close().catch(() => {});
  }
}
