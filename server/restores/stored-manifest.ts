import { oneLine } from "@/server/jobs/run-failure";
import { verifyManifestSignature } from "@/server/backups/manifest-signature";
import { ManifestTooLarge, readManifestText } from "@/server/backups/read-manifest";
import type { StorageClient } from "@/server/plugins/contracts";
import type { ArtifactToLoad } from "./artifact-stream";

type CatalogArtifact = { kind: string; key: string; size: number; sha256: string; layout?: "file" | "objects" };
type ManifestEntry = { kind?: unknown; key?: unknown; size?: unknown; sha256?: unknown; chunkSize?: unknown; chunks?: unknown; encryption?: unknown; layout?: unknown };

async function readStoredManifest(storage: StorageClient, key: string): Promise<string> {
  try {
    return await readManifestText(storage, key);
  } catch (err) {
    if (err instanceof ManifestTooLarge) throw new Error(`The stored manifest of this backup is ${err.message}; refusing to restore it`);
    throw new Error(`The manifest of this backup cannot be read from storage, and a restore checks it first: ${oneLine(err)}`);
  }
}

function parseManifest(text: string, signingKeys: Buffer[] | null): Record<string, unknown> {
  if (signingKeys) {
    const body = signingKeys.map((key) => verifyManifestSignature(text, key)).find((verified) => verified !== null);
    if (!body) throw new Error("The stored manifest of this backup is not signed by this console: it was changed in storage after the backup was taken; refusing to restore it");
    return body;
  }
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body === "object" && body !== null) return body as Record<string, unknown>;
  } catch {
    // Reported below, like any other manifest that is not an object.
  }
  throw new Error("The stored manifest of this backup is not a Safehold manifest; refusing to restore it");
}

/** The chunk checksums an entry of a signed manifest carries, when they describe a file of its size. */
function chunksOf(entry: ManifestEntry, size: number): ArtifactToLoad["chunks"] {
  const { chunkSize, chunks } = entry;
  if (typeof chunkSize !== "number" || !Number.isSafeInteger(chunkSize) || chunkSize <= 0 || !Array.isArray(chunks)) return null;
  if (chunks.length !== Math.ceil(size / chunkSize) || !chunks.every((h) => typeof h === "string" && /^[0-9a-f]{64}$/.test(h))) return null;
  return { size: chunkSize, hashes: chunks as string[] };
}

/** How a manifest entry says its file is encrypted (an unsigned manifest is only read for an old or an admin-trusted backup). */
function encryptionOf(entry: ManifestEntry): ArtifactToLoad["encryption"] {
  const e = entry.encryption as { format?: unknown; recipient?: unknown } | undefined;
  if (e === undefined) return null;
  if (e?.format !== "age" || typeof e.recipient !== "string" || !e.recipient.startsWith("age1")) {
    throw new Error("The stored manifest of this backup names an encryption this console does not know; refusing to restore it");
  }
  return { format: "age", recipient: e.recipient };
}

/**
 * Reads and checks a backup's manifest before any of its files is opened: a signed one must carry a signature made
 * with one of `signingKeys` (this console's, or one a key rotation retired after the backup: see manifestKeysFor), and every file it lists must be the catalog's (key, size, sha256). Returns what each file to load must
 * be, with the manifest's chunk checksums when it is signed (older backups get theirs from a first read).
 */
export async function checkStoredManifest(storage: StorageClient, backup: { signedManifest: boolean; orgId: string }, catalog: CatalogArtifact[], signingKeys: Buffer[]): Promise<Map<string, ArtifactToLoad>> {
  return (await readCheckedManifest(storage, backup, catalog, signingKeys)).files;
}

/** `checkStoredManifest`, with the checked manifest's body (e.g. its `proof`, for a restore drill). */
export async function readCheckedManifest(storage: StorageClient, backup: { signedManifest: boolean; orgId: string }, catalog: CatalogArtifact[], signingKeys: Buffer[]): Promise<{ files: Map<string, ArtifactToLoad>; body: Record<string, unknown> }> {
  const manifest = catalog.find((a) => a.kind === "manifest");
  if (!manifest) throw new Error("The backup has no manifest file; refusing to restore it");
  const body = parseManifest(await readStoredManifest(storage, manifest.key), backup.signedManifest ? signingKeys : null);
  const entries = (Array.isArray(body.artifacts) ? body.artifacts : []) as ManifestEntry[];
  const files = catalog.filter((a) => a.kind !== "manifest");
  const toLoad = new Map<string, ArtifactToLoad>();
  for (const file of files) {
    const entry = entries.find((e) => e?.kind === file.kind);
    const chunks = backup.signedManifest && entry ? chunksOf(entry, file.size) : null;
    const layout = file.layout ?? "file";
    if (!entry || entry.key !== file.key || entry.size !== file.size || entry.sha256 !== file.sha256 || (backup.signedManifest && !chunks) || (entry.layout ?? "file") !== layout) {
      throw new Error(`The stored manifest of this backup does not describe its ${file.kind} file as the catalog does (key, size, sha256, chunk checksums and layout); refusing to restore it`);
    }
    toLoad.set(file.kind, { kind: file.kind, key: file.key, size: file.size, sha256: file.sha256, chunks, encryption: encryptionOf(entry), layout, orgId: backup.orgId });
  }
  if (entries.length !== files.length) throw new Error("The stored manifest of this backup lists other files than the catalog does; refusing to restore it");
  return { files: toLoad, body };
}
