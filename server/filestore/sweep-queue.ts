import { and, eq, inArray, sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import { backupFilestoreObjects, storageLocations } from "@/server/db/schema";
import { enqueueJobs } from "@/server/jobs/enqueue";

/** One sweep job per location: however many backups go at once, the location is swept once after them. */
export function sweepJobKey(locationId: string): string {
  return `filestore-sweep:${locationId}`;
}

/**
 * The job queue of a location's sweeps: one runs at a time, so a sweep queued while another runs waits for it
 * instead of finding the location busy and putting itself off for 10 minutes.
 */
export function sweepQueue(locationId: string): string {
  return `filestore-sweep:${locationId}`;
}

/** Queues a sweep of each location (a queued one is replaced, so it runs now rather than later). */
export async function queueSweeps(db: DbOrTx, locationIds: Iterable<string>): Promise<void> {
  const ids = [...new Set(locationIds)];
  await enqueueJobs(
    db,
    "filestore/sweep",
    ids.map((storageLocationId) => ({ payload: { storageLocationId }, jobKey: sweepJobKey(storageLocationId), queueName: sweepQueue(storageLocationId) })),
  );
}

/** Queues a sweep of every storage location (the daily pass that also clears crash leftovers). */
export async function queueSweepsEverywhere(db: DbOrTx): Promise<number> {
  const locations = await db.select({ id: storageLocations.id }).from(storageLocations);
  await queueSweeps(db, locations.map((l) => l.id));
  return locations.length;
}

/**
 * Drops the filestore references of backups that are no longer kept (deleted, expired, failed), or only those in
 * one location (a second copy removed), and queues a sweep of each location they referenced objects in: the objects
 * themselves go once no other backup needs them.
 */
export async function releaseFilestoreObjects(db: DbOrTx, backupIds: string[], options: { onlyLocationId?: string } = {}): Promise<void> {
  if (backupIds.length === 0) return;
  const where = and(inArray(backupFilestoreObjects.backupId, backupIds), options.onlyLocationId ? eq(backupFilestoreObjects.storageLocationId, options.onlyLocationId) : undefined);
  // A backup references thousands of objects: only the distinct locations come back.
  const released = await db.execute<{ storage_location_id: string }>(sql`
    with gone as (delete from ${backupFilestoreObjects} where ${where} returning storage_location_id)
    select distinct storage_location_id from gone`);
  await queueSweeps(db, released.map((r) => r.storage_location_id));
}
