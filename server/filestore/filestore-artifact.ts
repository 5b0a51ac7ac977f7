import type { FileSet } from "@safehold/plugin-api";
import type { BackupEncryption } from "@/server/backups/encryption";
import { streamToStorage, type StoredArtifact } from "@/server/backups/stream-to-storage";
import { recipientOf } from "@/server/crypto/age-stream";
import type { Db } from "@/server/db";
import { RunFailure } from "@/server/jobs/run-failure";
import type { StorageClient } from "@/server/plugins/contracts";
import { organizationIdentities } from "@/server/services/organization-keys";
import { FilestoreIndexWriter, IndexError } from "./filestore-index";
import { orgObjectSecret } from "./object-cipher";
import { storeFiles, type FilesSummary, type FilesTarget } from "./store-files";

/** The file extension of a filestore index: `backup-{id}-filestore.index.jsonl.gz[.age]`. */
export const INDEX_EXTENSION = "index.jsonl";
export const INDEX_CONTENT_TYPE = "application/jsonl";

/** The object secret of the organization key a backup is encrypted to. */
export async function objectEncryption(db: Db, orgId: string, encryption: BackupEncryption | null): Promise<FilesTarget["encryption"]> {
  if (!encryption) return null;
  for (const identity of await organizationIdentities(db, orgId)) {
    if ((await recipientOf(identity)) === encryption.recipient) return { keyId: encryption.keyId, secret: orgObjectSecret(identity) };
  }
  throw new RunFailure("precondition", `The organization key ${encryption.recipient} is not held by this console: the filestore's files cannot be encrypted to it`);
}

/**
 * Stores a filestore handed over file by file: its files as shared objects (see store-files.ts) and, beside them,
 * its index as the backup's filestore file at `key`, through the same pipeline as every artifact (gzip, age when
 * `encryptTo`, sha256 and chunk hashes), so the signed manifest covers it.
 */
export async function storeFilestoreObjects(
  target: FilesTarget,
  files: FileSet,
  storage: StorageClient,
  key: string,
  encryptTo: string | undefined,
): Promise<{ stored: StoredArtifact; summary: FilesSummary }> {
  const index = new FilestoreIndexWriter();
  const [summary, stored] = await Promise.allSettled([
    storeFiles(target, files, index),
    streamToStorage(index.stream, storage, key, { gzip: true, encryptTo, onSourceBytes: () => {}, signal: target.signal }),
  ]);
  // The files' own failure explains an index that stopped; an index that could not be stored stops the files.
  if (summary.status === "rejected" && !(summary.reason instanceof IndexError && stored.status === "rejected")) throw summary.reason;
  if (stored.status === "rejected") throw stored.reason;
  return { stored: stored.value, summary: (summary as PromiseFulfilledResult<FilesSummary>).value };
}
