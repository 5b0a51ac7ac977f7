import type { StorageClient } from "@/server/plugins/contracts";
import { openFilestoreTar } from "@/server/filestore/filestore-tar";
import { openVerifiedArtifact, type ArtifactToLoad, type VerifiedArtifact } from "./artifact-stream";

/**
 * A stored artifact's content, verified as it streams, whatever its layout: a file as it was stored (decrypted,
 * decompressed unless `compressed`), or a filestore kept as shared objects reassembled into the tar it stands for.
 */
export async function openArtifactContent(storage: StorageClient, artifact: ArtifactToLoad, onStoredBytes: (n: number) => void, identities: string[], compressed = false): Promise<VerifiedArtifact> {
  if (artifact.layout === "objects") return await openFilestoreTar(storage, artifact, { orgId: artifact.orgId, identities }, onStoredBytes);
  return await openVerifiedArtifact(storage, artifact, onStoredBytes, identities, compressed);
}
