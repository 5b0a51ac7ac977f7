import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "@/server/db";
import { filestoreObjects, storageLocations } from "@/server/db/schema";
import type { HostedStorageClient } from "@/server/plugins/conform";
import type { PluginHost } from "@/server/plugins/host";
import { openStorage } from "@/server/services/plugin-config";
import { asObjectSweeper } from "./location-lock";
import { filestoreObjectKey, filestoreObjectPrefix } from "./object-key";

/** Catalog rows handled per round: one update, a few deletions at a time, one delete. */
const BATCH = 1000;
const DELETE_CONCURRENCY = 8;
/** A stored object without a catalog row is a crash's leftover only once no writer can still be about to catalog it. */
export const LEFTOVER_AGE_MS = 24 * 3600_000;

export type SweepOutcome = {
  /** Catalogued objects no backup referenced any more, removed with their catalog rows. */
  objects: number;
  bytes: number;
  /** Stored objects older than a day that the catalog never named (a writer that died mid-way). */
  leftovers: number;
  leftoverBytes: number;
};

async function eachLimited<T>(items: T[], task: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += DELETE_CONCURRENCY) await Promise.all(items.slice(i, i + DELETE_CONCURRENCY).map(task));
}

/**
 * Unreferenced catalog rows, a batch at a time. Each row is first unmarked (`stored_at` null: a writer would write it
 * again) so that a crash between the storage deletion and the row's deletion never leaves a row claiming a missing
 * object; then the object goes from storage, then the row (the RESTRICT foreign key refuses it if a reference
 * appeared, which the sweeper's lock already rules out).
 */
async function sweepUnreferenced(db: Db, storage: HostedStorageClient, location: { id: string; orgId: string }, outcome: SweepOutcome): Promise<void> {
  for (;;) {
    const batch = await db.execute<{ id: string; stored_size: string }>(sql`
      update filestore_objects o set stored_at = null
      where o.storage_location_id = ${location.id} and o.id in (
        select c.id from filestore_objects c
        where c.storage_location_id = ${location.id}
          and not exists (select 1 from backup_filestore_objects r where r.storage_location_id = c.storage_location_id and r.object_id = c.id)
        limit ${BATCH}
      )
      returning o.id, o.stored_size::text`);
    if (batch.length === 0) return;
    await eachLimited([...batch], (row) => storage.delete(filestoreObjectKey(location.orgId, row.id)));
    await db.delete(filestoreObjects).where(and(eq(filestoreObjects.storageLocationId, location.id), inArray(filestoreObjects.id, batch.map((r) => r.id))));
    outcome.objects += batch.length;
    outcome.bytes += batch.reduce((sum, r) => sum + Number(r.stored_size), 0);
  }
}

/** Stored objects under the organization's prefix that no catalog row names and that are older than a day. */
async function sweepLeftovers(db: Db, storage: HostedStorageClient, location: { id: string; orgId: string }, now: Date, outcome: SweepOutcome): Promise<void> {
  const old = (await storage.list(filestoreObjectPrefix(location.orgId))).filter((o) => o.lastModified.getTime() < now.getTime() - LEFTOVER_AGE_MS);
  for (let i = 0; i < old.length; i += BATCH) {
    const slice = old.slice(i, i + BATCH);
    const ids = slice.map((o) => o.key.slice(o.key.lastIndexOf("/") + 1));
    const known = await db
      .select({ id: filestoreObjects.id })
      .from(filestoreObjects)
      .where(and(eq(filestoreObjects.storageLocationId, location.id), inArray(filestoreObjects.id, ids)));
    const catalogued = new Set(known.map((k) => filestoreObjectKey(location.orgId, k.id)));
    const leftovers = slice.filter((o) => !catalogued.has(o.key));
    await eachLimited(leftovers, (o) => storage.delete(o.key));
    outcome.leftovers += leftovers.length;
    outcome.leftoverBytes += leftovers.reduce((sum, o) => sum + o.size, 0);
  }
}

/**
 * Mark and sweep of one location's filestore objects: every object no backup references any more is removed from
 * storage and the catalog, and so is every stored object the catalog never named once it is a day old. Runs alone
 * (no writer stores or references objects meanwhile); returns null at once when a writer or another sweep holds the
 * location. A location that no longer exists has nothing to sweep.
 */
export async function sweepLocation(db: Db, plugins: PluginHost, locationId: string, now: Date = new Date()): Promise<SweepOutcome | null> {
  const swept = await asObjectSweeper(db, locationId, async () => {
    const outcome: SweepOutcome = { objects: 0, bytes: 0, leftovers: 0, leftoverBytes: 0 };
    const [location] = await db.select().from(storageLocations).where(eq(storageLocations.id, locationId));
    if (!location) return outcome;
    const storage = await openStorage(plugins, location);
    try {
      await sweepUnreferenced(db, storage, location, outcome);
      await sweepLeftovers(db, storage, location, now, outcome);
    } finally {
      await storage.close();
    }
    return outcome;
  });
  return swept?.value ?? null;
}
