import { createHash } from "node:crypto";
import { and, eq, inArray, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import { manifestKeysFor } from "@/server/backups/manifest-keys";
import { verifyManifestSignature } from "@/server/backups/manifest-signature";
import { readManifestText } from "@/server/backups/read-manifest";
import type { Db, DbOrTx } from "@/server/db";
import { backupArtifacts, backups, environments, organizationKeys, projects, storageLocations } from "@/server/db/schema";
import { ExternalError, NotFoundError } from "@/server/errors";
import { oneLine } from "@/server/jobs/run-failure";
import type { StorageClient, StoredObject } from "@/server/plugins/contracts";
import type { PluginHost } from "@/server/plugins/host";
import { recordActivity } from "@/server/services/activity";
import { openStorage } from "@/server/services/plugin-config";
import { manifestsIn, readImportedManifest, type ImportedArtifact, type ImportedManifest, type ManifestLocation } from "./manifest-entry";
import { importFilestoreObjects } from "./import-objects";
import { organizationIdentities } from "@/server/services/organization-keys";
import { asObjectWriter } from "@/server/filestore/location-lock";
import { catalogHome } from "./placeholder-environment";

export const catalogImportResult = z.object({
  /** Backups whose rows this import recreated (foreign ones included). */
  added: z.number(),
  /** Manifests whose backup the catalog already had. */
  alreadyKnown: z.number(),
  /** Every foreign backup of this location not yet trusted by an admin: listed, not restorable until then. */
  foreign: z.array(z.object({ backupId: z.string(), projectName: z.string(), environmentName: z.string(), finishedAt: z.string().nullable(), reason: z.string() })),
  /** Manifests that were not imported, and why. */
  skipped: z.array(z.object({ key: z.string(), reason: z.string() })),
});
export type CatalogImportResult = z.infer<typeof catalogImportResult>;

type Classified = { manifest: ImportedManifest; signed: boolean; foreignReason: string | null; text: string };

/** Reads one manifest and decides whether it is this console's, for this organization (trusted), or foreign. */
async function classify(db: DbOrTx, storage: StorageClient, actor: Principal, at: ManifestLocation): Promise<Classified | string> {
  let text: string;
  try {
    text = await readManifestText(storage, at.key);
  } catch (err) {
    return `cannot be read: ${oneLine(err)}`;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return "not JSON";
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return "not a Safehold backup manifest";
  const { signature: _signature, ...body } = parsed as Record<string, unknown>;
  const manifest = readImportedManifest(body, at);
  if (typeof manifest === "string") return manifest;
  // The keys a restore will check it with: the current one, and those retired after the backup was taken.
  const keys = await manifestKeysFor(db, { createdAt: manifest.requestedAt });
  const signed = keys.some((key) => verifyManifestSignature(text, key) !== null);
  const foreignReason = !signed ? "its manifest is not signed by this console" : manifest.organizationId !== actor.orgId || at.orgId !== actor.orgId ? "it was taken for another organization" : null;
  return { manifest, signed, foreignReason, text };
}

/** Whether every file the manifest lists is in the location with the size it records (what `verified` means here). */
function allStored(manifest: ImportedManifest, objects: Map<string, StoredObject>): boolean {
  return manifest.artifacts.every((a) => objects.get(a.key)?.size === a.size);
}

/**
 * Re-catalogues the shared objects an imported filestore index names; false (the backup is then unverified) when one
 * is missing, the index cannot be read, or the objects lie under another organization than the one importing.
 */
async function objectsImported(tx: DbOrTx, storage: StorageClient, actor: Principal, at: { backupId: string; orgId: string; locationId: string }, index: ImportedArtifact, objects: Map<string, StoredObject>, encryptionKeyId: string | null): Promise<boolean> {
  if (at.orgId !== actor.orgId) return false;
  try {
    const identities = index.encryptionRecipient ? await organizationIdentities(tx, actor.orgId) : [];
    return await importFilestoreObjects(tx, storage, at, index, objects, { identities, encryptionKeyId });
  } catch (err) {
    console.error(`Catalog import of backup ${at.backupId}: its filestore index could not be read:`, oneLine(err));
    return false;
  }
}

async function insertBackup(db: DbOrTx, storage: StorageClient, actor: Principal, locationId: string, at: ManifestLocation, found: Classified, objects: Map<string, StoredObject>): Promise<string | null> {
  const { manifest } = found;
  return db.transaction(async (tx) => {
    const home = await catalogHome(tx, actor, manifest);
    if ("problem" in home) return home.problem;
    const manifestBytes = Buffer.from(found.text);
    // An encrypted file is recorded with the organization key it is encrypted to, when the console holds that key.
    const keys = await tx.select({ id: organizationKeys.id, recipient: organizationKeys.recipient }).from(organizationKeys).where(eq(organizationKeys.orgId, actor.orgId));
    const keyOf = (recipient: string | null) => (recipient ? (keys.find((k) => k.recipient === recipient)?.id ?? null) : null);
    const sizeBytes = manifest.artifacts.reduce((sum, a) => sum + a.size, 0) + at.size;
    await tx.insert(backups).values({
      id: manifest.backupId,
      orgId: actor.orgId,
      projectId: home.projectId,
      environmentId: home.environmentId,
      storageLocationId: locationId,
      type: manifest.type,
      status: "completed",
      name: manifest.name,
      notes: manifest.notes,
      retentionClass: manifest.retentionClass,
      includeFilestore: manifest.includeFilestore,
      verified: allStored(manifest, objects),
      sizeBytes,
      sourceMeta: manifest.source.metadata,
      application: manifest.source.application,
      signedManifest: found.signed,
      origin: found.foreignReason ? "foreign" : "imported",
      startedAt: manifest.startedAt,
      finishedAt: manifest.finishedAt,
      createdAt: manifest.requestedAt,
    });
    await tx.insert(backupArtifacts).values([
      ...manifest.artifacts.map((a) => ({ backupId: manifest.backupId, kind: a.kind, key: a.key, size: a.size, sha256: a.sha256, encryptionKeyId: keyOf(a.encryptionRecipient), layout: a.layout })),
      { backupId: manifest.backupId, kind: "manifest" as const, key: at.key, size: manifestBytes.length, sha256: createHash("sha256").update(manifestBytes).digest("hex") },
    ]);
    const index = manifest.artifacts.find((a) => a.layout === "objects");
    if (index && !(await objectsImported(tx, storage, actor, { backupId: manifest.backupId, orgId: at.orgId, locationId }, index, objects, keyOf(index.encryptionRecipient)))) {
      await tx.update(backups).set({ verified: false }).where(eq(backups.id, manifest.backupId));
    }
    return null;
  });
}

/** The untrusted foreign backups of a location, for the import's result. */
async function untrustedForeign(db: DbOrTx, actor: Principal, locationId: string): Promise<CatalogImportResult["foreign"]> {
  const rows = await db
    .select({ backupId: backups.id, projectName: projects.name, environmentName: environments.name, finishedAt: backups.finishedAt, signed: backups.signedManifest })
    .from(backups)
    .innerJoin(environments, eq(environments.id, backups.environmentId))
    .innerJoin(projects, eq(projects.id, backups.projectId))
    .where(and(eq(backups.orgId, actor.orgId), eq(backups.storageLocationId, locationId), eq(backups.origin, "foreign"), isNull(backups.trustedAt)))
    .orderBy(backups.createdAt);
  return rows.map((r) => ({
    backupId: r.backupId,
    projectName: r.projectName,
    environmentName: r.environmentName,
    finishedAt: r.finishedAt?.toISOString() ?? null,
    reason: r.signed ? "taken for another organization" : "not signed by this console",
  }));
}

/**
 * Scans a storage location for Safehold backup manifests and recreates the backup rows the catalog lacks (a
 * console rebuilt from a self-backup older than its latest backups, or from nothing). Manifests this console
 * signed for this organization are trusted; the others are foreign until an admin trusts them. Idempotent: a
 * backup the catalog has (by id) is never touched.
 */
export async function importCatalog(db: Db, plugins: PluginHost, actor: Principal, storageLocationId: string): Promise<CatalogImportResult> {
  const [location] = await db.select().from(storageLocations).where(and(eq(storageLocations.id, storageLocationId), eq(storageLocations.orgId, actor.orgId)));
  if (!location) throw new NotFoundError("Storage location");
  const storage = await openStorage(plugins, location);
  const result: CatalogImportResult = { added: 0, alreadyKnown: 0, foreign: [], skipped: [] };
  try {
    let listing: StoredObject[];
    try {
      listing = await storage.list("");
    } catch (err) {
      throw new ExternalError(`Cannot list the objects of "${location.name}": ${oneLine(err)}`);
    }
    const objects = new Map(listing.map((o) => [o.key, o]));
    const manifests = manifestsIn(listing);
    const ids = manifests.map((m) => m.backupId);
    const known = new Set(ids.length ? (await db.select({ id: backups.id }).from(backups).where(inArray(backups.id, ids))).map((r) => r.id) : []);
    // A writer of the location's objects: no sweep runs while the references of imported backups are re-created.
    await asObjectWriter(db, location.id, async () => {
      for (const at of manifests) {
        if (known.has(at.backupId)) {
          result.alreadyKnown++;
          continue;
        }
        const found = await classify(db, storage, actor, at);
        const problem = typeof found === "string" ? found : await insertBackup(db, storage, actor, location.id, at, found, objects);
        if (problem) result.skipped.push({ key: at.key, reason: problem });
        else result.added++;
      }
    });
  } finally {
    await storage.close();
  }
  result.foreign = await untrustedForeign(db, actor, location.id);
  await recordActivity(db, actor, {
    action: "storage_location.catalog_import",
    targetType: "storage_location",
    targetId: location.id,
    targetLabel: location.name,
    message: `Catalog import: ${result.added} added, ${result.alreadyKnown} already known, ${result.foreign.length} foreign awaiting trust, ${result.skipped.length} skipped`,
  });
  return result;
}
