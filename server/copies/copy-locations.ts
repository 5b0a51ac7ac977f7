import { eq, inArray } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import { backupCopies, storageLocations } from "@/server/db/schema";

export type CopyLocation = { copyId: string; location: typeof storageLocations.$inferSelect };

/**
 * The second-copy locations of each backup, whatever each copy's status: a copy that failed half-way or is being
 * written may have objects there too, so removing a backup visits every one.
 */
export async function copyLocationsOf(db: DbOrTx, backupIds: string[]): Promise<Map<string, CopyLocation[]>> {
  const byBackup = new Map<string, CopyLocation[]>();
  if (backupIds.length === 0) return byBackup;
  const rows = await db
    .select({ backupId: backupCopies.backupId, copyId: backupCopies.id, location: storageLocations })
    .from(backupCopies)
    .innerJoin(storageLocations, eq(storageLocations.id, backupCopies.storageLocationId))
    .where(inArray(backupCopies.backupId, backupIds));
  for (const { backupId, ...copy } of rows) byBackup.set(backupId, [...(byBackup.get(backupId) ?? []), copy]);
  return byBackup;
}
