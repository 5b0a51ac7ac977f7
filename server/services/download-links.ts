import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import { decryptedFileName, fileNameOf } from "@/server/backups/keys";
import type { DbOrTx } from "@/server/db";
import { ARTIFACT_KINDS, backupArtifacts, downloadLinks, organizations, storageLocations, users } from "@/server/db/schema";
import { agePlaintextSize } from "@/server/downloads/decrypted-download";
import { signLinkToken } from "@/server/downloads/link-token";
import { env } from "@/server/env";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, isDomainError } from "@/server/errors";
import type { PluginHost } from "@/server/plugins/host";
import { recordActivity } from "./activity";
import { findBackup } from "./backups";
import { openBackupReadLocation } from "@/server/copies/read-location";

/** The product guide's expirations: 15 min, 30 min, 1 h, 2 h, 24 h. */
export const DOWNLOAD_EXPIRIES = [900, 1800, 3600, 7200, 86400] as const;

export const createDownloadLinkInput = z.object({
  backupId: z.uuid(),
  artifact: z.enum(ARTIFACT_KINDS),
  expiresIn: z.union(DOWNLOAD_EXPIRIES.map((s) => z.literal(s)) as [z.ZodLiteral<900>, ...z.ZodLiteral<number>[]], {
    error: "Choose 15 minutes, 30 minutes, 1 hour, 2 hours or 24 hours",
  }),
  /**
   * For an encrypted backup file: true hands out the stored age file (….gz.age, byte ranges, presigned where the
   * storage can); false or left out, the decrypted file (….gz), which the console decrypts as it serves it.
   */
  encrypted: z.boolean().optional(),
});

export const downloadLinkItem = z.object({
  id: z.string(),
  backupId: z.string(),
  artifact: z.enum(ARTIFACT_KINDS),
  fileName: z.string(),
  size: z.number(),
  signedBy: z.enum(["console", "provider"]),
  /** Whether the link hands out an encrypted (age) file, which needs the organization's recovery kit to read. */
  encrypted: z.boolean(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
});
export const createdDownloadLink = downloadLinkItem.extend({ url: z.string() });

const LABEL = { database: "database dump", filestore: "filestore archive", manifest: "manifest" } as const;

async function assertMayDownload(db: DbOrTx, actor: Principal): Promise<void> {
  if (actor.role !== "viewer") return;
  const [org] = await db.select({ allowed: organizations.viewersCanDownload }).from(organizations).where(eq(organizations.id, actor.orgId));
  if (!org?.allowed) throw new ForbiddenError("Your organization does not let viewers download backups; ask an admin (Settings › General)");
}

/**
 * A link that downloads one artifact of a completed backup until it expires. Storage that can sign (S3) gets a
 * presigned URL; otherwise the console signs a URL that streams the object through it (and can be revoked
 * at once). `expiresInSeconds` is the API's choice; tests pass shorter ones.
 */
export async function createDownloadLink(db: DbOrTx, plugins: PluginHost, actor: Principal, input: { backupId: string; artifact: (typeof ARTIFACT_KINDS)[number]; encrypted?: boolean }, expiresInSeconds: number) {
  await assertMayDownload(db, actor);
  const { backup, projectName, environmentName } = await findBackup(db, actor, input.backupId);
  if (backup.status !== "completed") throw new ConflictError("Only a completed backup can be downloaded");
  const [artifact] = await db
    .select()
    .from(backupArtifacts)
    .where(and(eq(backupArtifacts.backupId, backup.id), eq(backupArtifacts.kind, input.artifact)));
  if (!artifact) throw new NotFoundError(`This backup's ${LABEL[input.artifact]}`);
  const [location] = backup.storageLocationId ? await db.select().from(storageLocations).where(eq(storageLocations.id, backup.storageLocationId)) : [];
  if (!location) throw new ConflictError("The backup's storage location no longer exists");

  const storedEncrypted = isEncryptedFile(artifact.key);
  if (input.encrypted && !storedEncrypted) throw new ValidationError("This backup file is not encrypted: leave out `encrypted`", { encrypted: "This file is not encrypted" });
  const decrypted = storedEncrypted && !input.encrypted;
  if (decrypted && !artifact.encryptionKeyId) throw new ConflictError("This file is encrypted to a key the console no longer holds: only that key's recovery kit can decrypt it; ask for the encrypted file instead");
  const fileName = fileNameOf(artifact.key);
  const expiresAt = new Date(Date.now() + expiresInSeconds * 1000);
  // Storage hands out what it stores: the decrypted form is always served (and decrypted) by the console.
  const presigned = decrypted ? undefined : await presign(db, plugins, backup, artifact.key, expiresInSeconds, fileName);
  const [row] = await db
    .insert(downloadLinks)
    .values({ orgId: actor.orgId, backupId: backup.id, artifact: input.artifact, signedBy: presigned ? "provider" : "console", decrypted, expiresAt, createdBy: actor.userId })
    .returning();
  const url = presigned ?? `${env().publicUrl}/download/${signLinkToken({ linkId: row!.id, backupId: backup.id, artifact: input.artifact, expiresAt })}`;
  await recordActivity(db, actor, {
    action: "download_link.create",
    targetType: "backup",
    targetId: backup.id,
    targetLabel: `${projectName} / ${environmentName}`,
    message: `Download link for the ${LABEL[input.artifact]}${storedEncrypted ? (decrypted ? " (decrypted)" : " (encrypted)") : ""}, valid until ${expiresAt.toISOString()}`,
    details: { linkId: row!.id, artifact: input.artifact, expiresAt: expiresAt.toISOString(), signedBy: row!.signedBy, decrypted },
  });
  return { ...toItem(row!, artifact, actor.label), url };
}

/** A presigned URL for `key`, or undefined when the storage cannot sign (the console then signs and serves it). */
/** Presigned by the first location that answers: the primary, else a verified second copy. */
async function presign(db: DbOrTx, plugins: PluginHost, backup: Parameters<typeof openBackupReadLocation>[2], key: string, expiresInSeconds: number, fileName: string): Promise<string | undefined> {
  const { storage } = await openBackupReadLocation(db, plugins, backup);
  try {
    return await storage.presignGet(key, expiresInSeconds, fileName);
  } catch (err) {
    if (!isDomainError(err) || err.pluginCode !== "NOT_SUPPORTED") throw err;
    return undefined;
  } finally {
    await storage.close();
  }
}

function isEncryptedFile(key: string): boolean {
  return key.endsWith(".age");
}

function toItem(row: typeof downloadLinks.$inferSelect, artifact: { key: string; size: number }, createdBy: string | null): z.infer<typeof downloadLinkItem> {
  return {
    id: row.id,
    backupId: row.backupId,
    artifact: row.artifact,
    fileName: row.decrypted ? decryptedFileName(fileNameOf(artifact.key)) : fileNameOf(artifact.key),
    size: row.decrypted ? agePlaintextSize(artifact.size) : artifact.size,
    signedBy: row.signedBy,
    encrypted: isEncryptedFile(artifact.key) && !row.decrypted,
    expiresAt: row.expiresAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
    createdBy,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The links made for a backup, newest first (their URLs are shown once, when made). */
export async function listDownloadLinks(db: DbOrTx, actor: Principal, backupId: string) {
  await findBackup(db, actor, backupId);
  const rows = await db
    .select({ link: downloadLinks, key: backupArtifacts.key, size: backupArtifacts.size, createdBy: users.email })
    .from(downloadLinks)
    .innerJoin(backupArtifacts, and(eq(backupArtifacts.backupId, downloadLinks.backupId), eq(backupArtifacts.kind, downloadLinks.artifact)))
    .leftJoin(users, eq(users.id, downloadLinks.createdBy))
    .where(and(eq(downloadLinks.backupId, backupId), eq(downloadLinks.orgId, actor.orgId)))
    .orderBy(desc(downloadLinks.createdAt));
  return rows.map((r) => toItem(r.link, r, r.createdBy));
}

/** Revokes a link: a console link stops working at once; a presigned one is marked, but storage honours it until it expires. */
export async function revokeDownloadLink(db: DbOrTx, actor: Principal, id: string) {
  const [row] = await db
    .update(downloadLinks)
    .set({ revokedAt: new Date() })
    .where(and(eq(downloadLinks.id, id), eq(downloadLinks.orgId, actor.orgId)))
    .returning();
  if (!row) throw new NotFoundError("Download link");
  await recordActivity(db, actor, {
    action: "download_link.revoke",
    targetType: "backup",
    targetId: row.backupId,
    message: `Revoked the download link for the ${LABEL[row.artifact]}${row.signedBy === "provider" ? " (a presigned link: the storage honours it until it expires)" : ""}`,
    details: { linkId: id },
  });
}
