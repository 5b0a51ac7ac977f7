import type { DbOrTx } from "@/server/db";
import { filestoreObjects } from "@/server/db/schema";
import { readFilestoreIndex } from "@/server/filestore/filestore-index";
import { referenceObjects } from "@/server/filestore/object-catalog";
import { encryptedObjectSize } from "@/server/filestore/object-cipher";
import { filestoreObjectKey } from "@/server/filestore/object-key";
import type { StorageClient, StoredObject } from "@/server/plugins/contracts";
import { openVerifiedArtifact } from "@/server/restores/artifact-stream";
import type { ImportedArtifact } from "./manifest-entry";

/** Rows and references are written this many at a time. */
const BATCH = 500;

/**
 * Re-creates the catalog of an imported backup's filestore kept as shared objects: for each file its index names,
 * the object's row (when the object is in the location with the size its content makes, plain or encrypted) and the
 * backup's reference to it. Returns whether every object is there: a backup missing one is imported unverified.
 * The index is read in full and checked against the manifest's size and sha256 (and decrypted with the
 * organization's keys when encrypted) before anything it says is used.
 */
export async function importFilestoreObjects(
  db: DbOrTx,
  storage: StorageClient,
  at: { backupId: string; orgId: string; locationId: string },
  index: ImportedArtifact,
  listing: Map<string, StoredObject>,
  keys: { identities: string[]; encryptionKeyId: string | null },
): Promise<boolean> {
  const { content, verified } = await openVerifiedArtifact(
    storage,
    { kind: "filestore", key: index.key, size: index.size, sha256: index.sha256, chunks: null, encryption: index.encryptionRecipient ? { format: "age", recipient: index.encryptionRecipient } : null, layout: "file", orgId: at.orgId },
    () => {},
    keys.identities,
  );
  const scope = { locationId: at.locationId, backupId: at.backupId };
  let complete = true;
  let rows: Array<typeof filestoreObjects.$inferInsert> = [];
  const flush = async () => {
    if (rows.length === 0) return;
    await db.insert(filestoreObjects).values(rows).onConflictDoNothing();
    await referenceObjects(db, scope, [...new Set(rows.map((r) => r.id))]);
    rows = [];
  };
  for await (const entry of readFilestoreIndex(content)) {
    if (entry.type !== "file") continue;
    const stored = listing.get(filestoreObjectKey(at.orgId, entry.object));
    const storedSize = index.encryptionRecipient ? encryptedObjectSize(entry.size) : entry.size;
    if (stored?.size !== storedSize) {
      complete = false;
      continue;
    }
    rows.push({ storageLocationId: at.locationId, id: entry.object, sha1: entry.sha1, sha256: entry.sha256, size: entry.size, chunks: entry.chunks ?? null, storedSize: stored.size, encryptionKeyId: index.encryptionRecipient ? keys.encryptionKeyId : null, storedAt: new Date() });
    if (rows.length >= BATCH) await flush();
  }
  await flush();
  await verified;
  return complete;
}
