import type { ApplicationInfo } from "@safehold/plugin-api";
import type { StoredArtifact } from "./stream-to-storage";
import { fileNameOf, type ArtifactKind } from "./keys";
import { signManifest } from "./manifest-signature";
import type { BackupProof } from "./proof/proof-tap";

/** How an encrypted artifact was encrypted: age, to this public key. Its size and checksums are those of the age file. */
export type ArtifactEncryption = { format: "age"; recipient: string };
/** A filestore kept as shared objects: its file is the index, naming the objects. */
export type ArtifactObjects = { layout: "objects"; objects: { files: number; bytes: number; newFiles: number; newBytes: number } };
/** Where an artifact was compressed: on the environment's server (fewer bytes crossed the link) or by the console. */
export type CompressedOn = "server" | "worker";

export type ManifestInput = {
  backup: { id: string; type: string; name: string; notes: string; retentionClass: string; includeFilestore: boolean; createdAt: Date };
  organization: { id: string; name: string };
  project: { id: string; name: string };
  environment: { id: string; name: string; stage: string };
  requestedBy: { id: string; email: string } | null;
  source: { type: string; metadata: Record<string, unknown>; application?: ApplicationInfo | null };
  startedAt: Date;
  finishedAt: Date;
  artifacts: Array<StoredArtifact & { kind: ArtifactKind; contentType?: string; compressedOn?: CompressedOn; encryption?: ArtifactEncryption } & Partial<ArtifactObjects>>;
  /** What a restore must reproduce (row counts per table, the filestore's files and bytes), counted as it streamed. */
  proof: BackupProof;
};

/**
 * `backup-{id}-manifest.json`: what was backed up, from where, by whom and why, each artifact's checksums (whole
 * and per chunk), signed with the console's key so a restore can trust the chunk checksums it reads from storage.
 */
export function buildManifest(input: ManifestInput): Buffer {
  const manifest = {
    format: "safehold-backup/1",
    backupId: input.backup.id,
    type: input.backup.type,
    name: input.backup.name,
    notes: input.backup.notes,
    retentionClass: input.backup.retentionClass,
    includeFilestore: input.backup.includeFilestore,
    requestedAt: input.backup.createdAt.toISOString(),
    requestedBy: input.requestedBy,
    organization: input.organization,
    project: input.project,
    environment: input.environment,
    source: { type: input.source.type, ...input.source.metadata, ...(input.source.application ? { application: input.source.application } : {}) },
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    artifacts: input.artifacts.map((a) => ({
      kind: a.kind,
      fileName: fileNameOf(a.key),
      ...(a.contentType ? { contentType: a.contentType, contentEncoding: "gzip" } : {}),
      ...(a.compressedOn ? { compressedOn: a.compressedOn } : {}),
      ...(a.encryption ? { encryption: a.encryption } : {}),
      ...(a.layout ? { layout: a.layout, objects: a.objects } : {}),
      key: a.key,
      size: a.size,
      sha256: a.sha256,
      chunkSize: a.chunkSize,
      chunks: a.chunks,
    })),
    proof: input.proof,
  };
  return Buffer.from(`${JSON.stringify(signManifest(manifest), null, 2)}\n`);
}
