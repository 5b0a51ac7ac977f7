import { randomUUID } from "node:crypto";
import { and, eq, gt } from "drizzle-orm";
import { deriveKey, keyIdOf } from "@/server/crypto/secret-key";
import type { DbOrTx } from "@/server/db";
import { retiredKeys } from "@/server/db/schema";
import { openSecret, SEALED_COLUMNS, sealSecret } from "@/server/db/sealed-columns";

/**
 * The keys a backup's signed manifest may be signed with: this console's manifest-signing key, and the keys that
 * rotations retired after the backup was created (its manifest, in storage, was signed before them). A backup
 * made after a rotation verifies only with the current key, so an old key cannot vouch for a new manifest.
 */
export async function manifestKeysFor(db: DbOrTx, backup: { createdAt: Date }): Promise<Buffer[]> {
  const retired = await db
    .select()
    .from(retiredKeys)
    .where(and(eq(retiredKeys.purpose, "manifest-signing"), gt(retiredKeys.retiredAt, backup.createdAt)));
  return [deriveKey("manifest-signing"), ...retired.map((row) => Buffer.from(openSecret(SEALED_COLUMNS.retiredKey, row.id, row.key), "base64"))];
}

/**
 * Keeps the manifest-signing key of `oldMaster`, sealed under `newMaster`, as a key rotation replaces the one with
 * the other: manifests in storage cannot be signed again, and the backups made until now must still restore.
 */
export async function retireManifestKey(tx: DbOrTx, oldMaster: Buffer, newMaster: Buffer): Promise<void> {
  const id = randomUUID();
  const key = sealSecret(SEALED_COLUMNS.retiredKey, id, deriveKey("manifest-signing", oldMaster).toString("base64"), newMaster);
  await tx.insert(retiredKeys).values({ id, purpose: "manifest-signing", masterKeyId: keyIdOf(oldMaster), key });
}
