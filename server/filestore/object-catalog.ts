import { and, eq, inArray, isNotNull, isNull, ne, sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import { backupFilestoreObjects, backups, filestoreObjects } from "@/server/db/schema";

/** What the catalog knows of a stored object's content (chunk hashes for one larger than a chunk). */
export type KnownObject = { id: string; sha1: string; sha256: string; size: number; chunks: string[] | null };

/** Where a backup writes and references its objects. */
export type ObjectScope = { locationId: string; backupId: string; projectId: string };

const known = { id: filestoreObjects.id, sha1: filestoreObjects.sha1, sha256: filestoreObjects.sha256, size: filestoreObjects.size, chunks: filestoreObjects.chunks };

function byId(rows: KnownObject[]): Map<string, KnownObject> {
  return new Map(rows.map((row) => [row.id, row]));
}

/**
 * Of `ids`, the stored objects another backup of the same project already references: a file named by such an
 * object's sha1 is taken as that object without being read. Only the project's own backups count, so a client
 * naming another client's file gains nothing but having to send it.
 */
export async function projectObjects(db: DbOrTx, scope: ObjectScope, ids: string[]): Promise<Map<string, KnownObject>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectDistinct(known)
    .from(filestoreObjects)
    .innerJoin(backupFilestoreObjects, and(eq(backupFilestoreObjects.storageLocationId, filestoreObjects.storageLocationId), eq(backupFilestoreObjects.objectId, filestoreObjects.id)))
    .innerJoin(backups, eq(backups.id, backupFilestoreObjects.backupId))
    .where(
      and(
        eq(filestoreObjects.storageLocationId, scope.locationId),
        inArray(filestoreObjects.id, ids),
        isNotNull(filestoreObjects.storedAt),
        eq(backups.projectId, scope.projectId),
        ne(backups.id, scope.backupId),
      ),
    );
  return byId(rows);
}

/** Of `ids`, the objects stored in the location (written and read back), whoever references them. */
export async function storedObjects(db: DbOrTx, locationId: string, ids: string[]): Promise<Map<string, KnownObject>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select(known)
    .from(filestoreObjects)
    .where(and(eq(filestoreObjects.storageLocationId, locationId), inArray(filestoreObjects.id, ids), isNotNull(filestoreObjects.storedAt)));
  return byId(rows);
}

/** Records that the backup references these objects (already in the catalog). */
export async function referenceObjects(db: DbOrTx, scope: Pick<ObjectScope, "locationId" | "backupId">, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .insert(backupFilestoreObjects)
    .values(ids.map((objectId) => ({ backupId: scope.backupId, storageLocationId: scope.locationId, objectId })))
    .onConflictDoNothing();
}

/**
 * Enters an object about to be written (not stored yet: writers treat it as absent) and the backup's reference to
 * it, before a byte is written, so whatever is written is in the catalog. The sha256 may be unknown yet (empty):
 * `markStored` records it, and the chunk hashes.
 */
export async function reserveObject(db: DbOrTx, scope: ObjectScope, object: Omit<KnownObject, "chunks"> & { encryptionKeyId: string | null }): Promise<void> {
  await db
    .insert(filestoreObjects)
    .values({ storageLocationId: scope.locationId, id: object.id, sha1: object.sha1, sha256: object.sha256, size: object.size, storedSize: 0, encryptionKeyId: object.encryptionKeyId })
    .onConflictDoNothing();
  await referenceObjects(db, scope, [object.id]);
}

/**
 * The object was written and read back: writers may now rely on it. Its content's size, sha256 and chunk hashes are
 * recorded from what was written (a reservation made for a file whose name lied holds that file's size).
 */
export async function markStored(db: DbOrTx, locationId: string, object: { id: string; sha256: string; size: number; chunks: string[] | null; storedSize: number }): Promise<void> {
  await db
    .update(filestoreObjects)
    .set({ sha256: object.sha256, size: object.size, chunks: object.chunks, storedSize: object.storedSize, storedAt: sql`now()` })
    .where(and(eq(filestoreObjects.storageLocationId, locationId), eq(filestoreObjects.id, object.id), isNull(filestoreObjects.storedAt)));
}

/** Drops one reference of the backup (an object it reserved and then did not write). */
export async function dropReference(db: DbOrTx, scope: ObjectScope, id: string): Promise<void> {
  await db
    .delete(backupFilestoreObjects)
    .where(and(eq(backupFilestoreObjects.backupId, scope.backupId), eq(backupFilestoreObjects.storageLocationId, scope.locationId), eq(backupFilestoreObjects.objectId, id)));
}
