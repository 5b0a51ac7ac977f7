import { and, eq, sql } from "drizzle-orm";
import { hashStoredObject, streamToStorage } from "@/server/backups/stream-to-storage";
import type { DbOrTx } from "@/server/db";
import { filestoreObjects } from "@/server/db/schema";
import { filestoreObjectKey } from "@/server/filestore/object-key";
import type { HostedStorageClient } from "@/server/plugins/conform";

/** Objects looked up per round: the backup's references are read a page at a time, never all at once. */
const PAGE = 500;

type Side = { locationId: string; name: string; storage: HostedStorageClient };
type SourceObject = { id: string; sha1: string; sha256: string; size: string; chunks: string[] | null; stored_size: string; encryption_key_id: string | null };

const short = (hex: string) => `${hex.slice(0, 12)}…`;

/**
 * Copies one object verbatim (an encrypted object's bytes do not depend on the location) and marks it stored in the
 * target's catalog only once the bytes read back are the bytes that passed, at the catalogued size; a plain object's
 * bytes must also hash to its catalogued sha256.
 */
async function copyObject(db: DbOrTx, orgId: string, object: SourceObject, from: Side, to: Side, signal: AbortSignal): Promise<number> {
  const key = filestoreObjectKey(orgId, object.id);
  const storedSize = Number(object.stored_size);
  await db
    .insert(filestoreObjects)
    .values({ storageLocationId: to.locationId, id: object.id, sha1: object.sha1, sha256: object.sha256, size: Number(object.size), chunks: object.chunks, storedSize, encryptionKeyId: object.encryption_key_id })
    .onConflictDoUpdate({ target: [filestoreObjects.storageLocationId, filestoreObjects.id], set: { chunks: object.chunks, storedAt: null } });
  const passed = await streamToStorage(await from.storage.get(key), to.storage, key, { gzip: false, onSourceBytes: () => {}, signal });
  if (passed.size !== storedSize || (object.encryption_key_id === null && passed.sha256 !== object.sha256)) {
    throw new Error(`Filestore object ${short(object.id)} read from ${from.name} does not match the catalog (${passed.size} bytes, sha256 ${short(passed.sha256)}; expected ${storedSize} bytes)`);
  }
  const check = await hashStoredObject(to.storage, key);
  if (check.size !== passed.size || check.sha256 !== passed.sha256) {
    throw new Error(`Filestore object ${short(object.id)} read back from ${to.name} does not match what was written (${check.size} bytes, sha256 ${short(check.sha256)})`);
  }
  await db
    .update(filestoreObjects)
    .set({ storedAt: sql`now()` })
    .where(and(eq(filestoreObjects.storageLocationId, to.locationId), eq(filestoreObjects.id, object.id)));
  return storedSize;
}

/**
 * Copies into `to` every filestore object the backup references in `from` that `to` does not hold yet (objects
 * shared with backups already copied there are not copied again). The caller holds `to` as an object writer and
 * references the objects there (`referenceCopiedObjects`) before letting go.
 */
export async function copyFilestoreObjects(db: DbOrTx, backup: { id: string; orgId: string }, from: Side, to: Side, signal: AbortSignal): Promise<{ objects: number; bytes: number }> {
  const copied = { objects: 0, bytes: 0 };
  for (let after = ""; ; ) {
    const page = await db.execute<SourceObject>(sql`
      select o.id, o.sha1, o.sha256, o.size::text, o.chunks, o.stored_size::text, o.encryption_key_id
      from backup_filestore_objects r
      join filestore_objects o on o.storage_location_id = r.storage_location_id and o.id = r.object_id
      where r.backup_id = ${backup.id} and r.storage_location_id = ${from.locationId} and r.object_id > ${after}
        and not exists (select 1 from filestore_objects t where t.storage_location_id = ${to.locationId} and t.id = r.object_id and t.stored_at is not null)
      order by r.object_id
      limit ${PAGE}`);
    for (const object of page) {
      signal.throwIfAborted();
      copied.bytes += await copyObject(db, backup.orgId, object, from, to, signal);
      copied.objects += 1;
    }
    if (page.length < PAGE) return copied;
    after = page[page.length - 1]!.id;
  }
}

/** The backup's references in the copy location: the same objects it references where it was read from. */
export async function referenceCopiedObjects(db: DbOrTx, backupId: string, fromLocationId: string, toLocationId: string): Promise<void> {
  await db.execute(sql`
    insert into backup_filestore_objects (backup_id, storage_location_id, object_id)
    select backup_id, ${toLocationId}::uuid, object_id from backup_filestore_objects
    where backup_id = ${backupId} and storage_location_id = ${fromLocationId}
    on conflict do nothing`);
}
