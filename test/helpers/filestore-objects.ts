import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { and, eq, sql } from "drizzle-orm";
import { ChunkHasher } from "@/server/backups/chunk-hashes";
import type { Db, DbOrTx } from "@/server/db";
import { backupFilestoreObjects, filestoreObjects } from "@/server/db/schema";
import { hasChunkList, objectChunkSize } from "@/server/filestore/object-chunks";
import { filestoreObjectKey } from "@/server/filestore/object-key";
import type { HostedStorageClient } from "@/server/plugins/conform";

/** A location's place in the object store: the organization its keys live under. */
export type ObjectPlace = { orgId: string; locationId: string; storage: HostedStorageClient };

const hash = (algorithm: string, content: Buffer) => createHash(algorithm).update(content).digest("hex");

/** A plain object's id: its content's sha1, as Odoo names the file. */
export const plainObjectId = (content: Buffer) => hash("sha1", content);

/** Whether the location's catalog has the object marked stored. */
export async function isCatalogued(db: DbOrTx, locationId: string, id: string): Promise<boolean> {
  const [row] = await db
    .select({ storedAt: filestoreObjects.storedAt })
    .from(filestoreObjects)
    .where(and(eq(filestoreObjects.storageLocationId, locationId), eq(filestoreObjects.id, id)));
  return Boolean(row?.storedAt);
}

/** Writes a plain object and its catalog row the way a backup does (row first, unmarked, then bytes, then the mark; chunk hashes when over a chunk). */
export async function storeObject(db: DbOrTx, place: ObjectPlace, content: Buffer): Promise<string> {
  const id = plainObjectId(content);
  const chunks = new ChunkHasher(objectChunkSize(content.length));
  chunks.update(content);
  const values = { storageLocationId: place.locationId, id, sha1: id, sha256: hash("sha256", content), size: content.length, chunks: hasChunkList(content.length) ? chunks.digest() : null, storedSize: content.length };
  await db.insert(filestoreObjects).values(values).onConflictDoUpdate({ target: [filestoreObjects.storageLocationId, filestoreObjects.id], set: { storedAt: null } });
  await place.storage.put(filestoreObjectKey(place.orgId, id), Readable.from([content]));
  await db.update(filestoreObjects).set({ storedAt: sql`now()` }).where(and(eq(filestoreObjects.storageLocationId, place.locationId), eq(filestoreObjects.id, id)));
  return id;
}

/** Records that a backup's filestore index names these objects in the location. */
export async function reference(db: DbOrTx, backupId: string, locationId: string, ids: string[]): Promise<void> {
  await db.insert(backupFilestoreObjects).values(ids.map((objectId) => ({ backupId, storageLocationId: locationId, objectId }))).onConflictDoNothing();
}

/** The object keys stored under the organization's prefix in the location. */
export async function storedKeys(place: ObjectPlace): Promise<string[]> {
  return (await place.storage.list(`objects/${place.orgId}/`)).map((o) => o.key).sort();
}

/** Every catalog row of the location, by id. */
export async function catalogIds(db: Db, locationId: string): Promise<string[]> {
  return (await db.select({ id: filestoreObjects.id }).from(filestoreObjects).where(eq(filestoreObjects.storageLocationId, locationId))).map((r) => r.id).sort();
}
