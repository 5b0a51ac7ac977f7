import { and, asc, eq } from "drizzle-orm";
import { backupPrefix } from "@/server/backups/keys";
import type { DbOrTx } from "@/server/db";
import { backupArtifacts, backupCopies, storageLocations } from "@/server/db/schema";
import { oneLine } from "@/server/jobs/run-failure";
import type { HostedStorageClient } from "@/server/plugins/conform";
import type { PluginHost } from "@/server/plugins/host";
import { openStorage } from "@/server/services/plugin-config";

type BackupRef = { id: string; orgId: string; projectId: string; environmentId: string; storageLocationId: string | null };
type Location = typeof storageLocations.$inferSelect;

/** Where a backup is read from: an opened client of the first location that answered with every file of the backup. */
export type BackupReadLocation = {
  storage: HostedStorageClient;
  location: { id: string; name: string };
  /** False when the backup is read from a second copy. */
  primary: boolean;
  /** The locations tried before it, and why each was passed over. */
  skipped: { name: string; primary: boolean; why: string }[];
};

/** The primary location first, then each verified second copy, oldest first. */
async function candidates(db: DbOrTx, backup: BackupRef): Promise<{ location: Location; primary: boolean }[]> {
  const [primary] = backup.storageLocationId ? await db.select().from(storageLocations).where(eq(storageLocations.id, backup.storageLocationId)) : [];
  const copies = await db
    .select({ location: storageLocations })
    .from(backupCopies)
    .innerJoin(storageLocations, eq(storageLocations.id, backupCopies.storageLocationId))
    .where(and(eq(backupCopies.backupId, backup.id), eq(backupCopies.status, "completed")))
    .orderBy(asc(backupCopies.verifiedAt));
  return [...(primary ? [{ location: primary, primary: true }] : []), ...copies.map((c) => ({ location: c.location, primary: false }))];
}

/**
 * A cheap health check of one location for one backup: a listing of the backup's folder (no object is read)
 * must show every catalogued file at its catalogued size.
 */
async function probe(storage: HostedStorageClient, backup: BackupRef, files: { key: string; size: number }[]): Promise<void> {
  const listed = new Map((await storage.list(backupPrefix(backup))).map((o) => [o.key, o.size]));
  for (const file of files) {
    const size = listed.get(file.key);
    if (size === undefined) throw new Error(`${file.key.slice(file.key.lastIndexOf("/") + 1)} is missing`);
    if (size !== file.size) throw new Error(`${file.key.slice(file.key.lastIndexOf("/") + 1)} has ${size} bytes instead of ${file.size}`);
  }
}

/**
 * Opens the first healthy location holding a backup: its primary location, else each verified second copy in
 * turn. Restores, drills, downloads and copies read through this one function. Throws, naming every location
 * and why, when none answers. `except` leaves a location out (a copy being written there reads from elsewhere).
 */
export async function openBackupReadLocation(db: DbOrTx, plugins: PluginHost, backup: BackupRef, options: { except?: string } = {}): Promise<BackupReadLocation> {
  const files = await db.select({ key: backupArtifacts.key, size: backupArtifacts.size }).from(backupArtifacts).where(eq(backupArtifacts.backupId, backup.id));
  const skipped: BackupReadLocation["skipped"] = [];
  const choices = (await candidates(db, backup)).filter((c) => c.location.id !== options.except);
  for (const { location, primary } of choices) {
    let storage: HostedStorageClient | undefined;
    try {
      storage = await openStorage(plugins, location);
      // With nowhere else to go there is nothing to choose: the reads themselves say what is wrong.
      if (choices.length > 1) await probe(storage, backup, files);
      return { storage, location: { id: location.id, name: location.name }, primary, skipped };
    } catch (err) {
      await storage?.close().catch(() => {});
      skipped.push({ name: location.name, primary, why: oneLine(err) });
    }
  }
  if (skipped.length === 0) throw new Error("The backup's storage location no longer exists");
  throw new Error(`No copy of this backup can be read: ${skipped.map((s) => `"${s.name}": ${s.why}`).join("; ")}`);
}

/** What a run logs when it reads a backup from a second copy: which copy, and why the primary was passed over. */
export function readFromCopyMessage(read: BackupReadLocation): string | null {
  if (read.primary) return null;
  const primary = read.skipped.find((s) => s.primary);
  return `Read the backup from the second copy in ${read.location.name}: ${primary ? `the primary location ${primary.name} was unreachable (${primary.why})` : "its primary location no longer exists"}`;
}
