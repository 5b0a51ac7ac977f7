import type { Readable } from "node:stream";
import { DecryptionError } from "@/server/crypto/age-stream";
import { RunFailure, oneLine } from "@/server/jobs/run-failure";
import type { StorageClient } from "@/server/plugins/contracts";
import { isFilestoreFinding } from "@/server/filestore/filestore-tar";
import { openArtifactContent } from "./artifact-content";
import type { ArtifactToLoad } from "./artifact-stream";

/**
 * Streams one stored artifact, checked chunk by chunk (and decrypted with `identities` when it is encrypted), into `into` (a staged copy's loader),
 * decompressed unless `compressed` (the loader decompresses on the server): a damaged file fails
 * as a verification failure, one that cannot be read as a storage failure, and otherwise the loader's own error.
 * The loader is always waited for, so whatever it created exists before its caller discards it.
 */
export async function loadVerified(
  storage: StorageClient,
  artifact: ArtifactToLoad,
  into: (content: Readable) => Promise<void>,
  onStoredBytes: (n: number) => void,
  identities: string[],
  compressed = false,
): Promise<void> {
  const { content, verified } = await openArtifactContent(storage, artifact, onStoredBytes, identities, compressed);
  const loaded = into(content).then(
    // Whatever the loader left unread is still read, so the whole file is checked.
    () => void content.resume(),
    (err: unknown) => {
      // The rest is not needed; ending it also settles `verified`.
      content.destroy();
      throw err;
    },
  );
  // The loader is waited for even when the file proves damaged first (the error stops it): the fresh copy it
  // makes must exist before the caller discards it, or it would be left behind.
  const [load, check] = await Promise.allSettled([loaded, verified]);
  // A file that does not match its checksum, does not decrypt, or whose filestore object is missing or damaged is a
  // verification failure; one that cannot be read, a storage one.
  const damaged = (err: unknown) => err instanceof DecryptionError || (err as Error).message.startsWith("The stored") || isFilestoreFinding(err);
  const stored = check.status === "rejected" ? new RunFailure(damaged(check.reason) ? "verification" : "storage", oneLine(check.reason), { cause: check.reason }) : null;
  if (stored?.kind === "verification") throw stored;
  if (load.status === "rejected") throw load.reason;
  if (stored) throw stored;
}
