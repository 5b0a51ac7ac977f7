import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import { artifactFileName, decryptedFileName, fileNameOf } from "@/server/backups/keys";
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
import { canNeutralize, exportFileName, exportFormatOf } from "@/server/downloads/export-format";

/** The product guide's expirations: 15 min, 30 min, 1 h, 2 h, 24 h. */
export const DOWNLOAD_EXPIRIES = [900, 1800, 3600, 7200, 86400] as const;

export const createDownloadLinkInput = z.object({
  backupId: z.uuid(),
  /** The stored file to hand out; left out when `format` asks for an export. */
  artifact: z.enum(ARTIFACT_KINDS).optional(),
  expiresIn: z.union(DOWNLOAD_EXPIRIES.map((s) => z.literal(s)) as [z.ZodLiteral<900>, ...z.ZodLiteral<number>[]], {
    error: "Choose 15 minutes, 30 minutes, 1 hour, 2 hours or 24 hours",
  }),
  /**
   * For an encrypted backup file: true hands out the stored age file (….gz.age, byte ranges, presigned where the
   * storage can); false or left out, the decrypted file (….gz), which the console decrypts as it serves it.
   */
  encrypted: z.boolean().optional(),
  /**
   * An export format the backup's source declares (its `exports`, e.g. `odoo-zip`): the console builds that one file
   * from the backup's files as the link is used. Left out, the link hands out the stored `artifact`.
   */
  format: z
    .string()
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "An export format id, e.g. odoo-zip")
    .max(60)
    .optional(),
  /** With `format`: the exported copy is made harmless as a neutralized restore is (no outgoing mail, no scheduled jobs, ...). Default false. */
  neutralize: z.boolean().optional(),
});

export const downloadLinkItem = z.object({
  id: z.string(),
  backupId: z.string(),
  artifact: z.enum(ARTIFACT_KINDS),
  fileName: z.string(),
  /** Null for an export: the file is built as it downloads. */
  size: z.number().nullable(),
  signedBy: z.enum(["console", "provider"]),
  /** Whether the link hands out an encrypted (age) file, which needs the organization's recovery kit to read. */
  encrypted: z.boolean(),
  /** The export format the link builds (e.g. `odoo-zip`); null for a stored file. */
  format: z.string().nullable(),
  /** For an export: whether the exported copy is neutralized. */
  neutralized: z.boolean(),
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

type LinkInput = Omit<z.infer<typeof createDownloadLinkInput>, "expiresIn">;
type FoundBackup = Awaited<ReturnType<typeof findBackup>>;

/**
 * A link that downloads one artifact of a completed backup until it expires, or (with `format`) the backup in an
 * export format of its source. Storage that can sign (S3) gets a presigned URL for a stored file; otherwise, and
 * always for exports, the console signs a URL that streams through it (and can be revoked at once).
 * `expiresInSeconds` is the API's choice; tests pass shorter ones.
 */
export async function createDownloadLink(db: DbOrTx, plugins: PluginHost, actor: Principal, input: LinkInput, expiresInSeconds: number) {
  await assertMayDownload(db, actor);
  const found = await findBackup(db, actor, input.backupId);
  if (found.backup.status !== "completed") throw new ConflictError("Only a completed backup can be downloaded");
  if (input.format !== undefined) return createExportLink(db, plugins, actor, found, { ...input, format: input.format }, expiresInSeconds);
  if (input.neutralize) throw new ValidationError("Only an export can be neutralized: choose a `format`", { neutralize: "Only with an export format" });
  if (!input.artifact) throw new ValidationError("Choose the file to download (`artifact`) or an export `format`", { artifact: "Choose a file" });
  const { backup, projectName, environmentName } = found;
  const [artifact] = await db
    .select()
    .from(backupArtifacts)
    .where(and(eq(backupArtifacts.backupId, backup.id), eq(backupArtifacts.kind, input.artifact)));
  if (!artifact) throw new NotFoundError(`This backup's ${LABEL[input.artifact]}`);
  const [location] = backup.storageLocationId ? await db.select().from(storageLocations).where(eq(storageLocations.id, backup.storageLocationId)) : [];
  if (!location) throw new ConflictError("The backup's storage location no longer exists");

  if (artifact.layout === "objects") return createReassembledLink(db, actor, found, artifact, input, expiresInSeconds);
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
  const url = presigned ?? consoleUrl(row!, expiresAt);
  await recordActivity(db, actor, {
    action: "download_link.create",
    targetType: "backup",
    targetId: backup.id,
    targetLabel: `${projectName} / ${environmentName}`,
    message: `Download link for the ${LABEL[input.artifact]}${storedEncrypted ? (decrypted ? " (decrypted)" : " (encrypted)") : ""}, valid until ${expiresAt.toISOString()}`,
    details: { linkId: row!.id, artifact: input.artifact, expiresAt: expiresAt.toISOString(), signedBy: row!.signedBy, decrypted },
  });
  return { ...toItem(row!, storedFile(row!, artifact), actor.label), url };
}

/**
 * A link to a filestore kept as shared objects: there is no one stored file to presign, so the console reassembles
 * `backup-{id}-filestore.tar.gz` as the link is used; for an encrypted backup, decrypted, or (asked `encrypted`)
 * encrypted again to the organization key as `….tar.gz.age`, which the recovery kit opens like any backup file.
 */
async function createReassembledLink(db: DbOrTx, actor: Principal, found: FoundBackup, artifact: typeof backupArtifacts.$inferSelect, input: LinkInput, expiresInSeconds: number) {
  const { backup, projectName, environmentName } = found;
  const storedEncrypted = isEncryptedFile(artifact.key);
  if (input.encrypted && !storedEncrypted) throw new ValidationError("This backup file is not encrypted: leave out `encrypted`", { encrypted: "This file is not encrypted" });
  // Reassembling reads the objects, which only the organization's key opens, whichever form is handed out.
  if (storedEncrypted && !artifact.encryptionKeyId) throw new ConflictError("This filestore is encrypted to a key the console no longer holds: only that key's recovery kit can decrypt it");
  const decrypted = storedEncrypted && !input.encrypted;
  const expiresAt = new Date(Date.now() + expiresInSeconds * 1000);
  const [row] = await db
    .insert(downloadLinks)
    .values({ orgId: actor.orgId, backupId: backup.id, artifact: "filestore", signedBy: "console", decrypted, expiresAt, createdBy: actor.userId })
    .returning();
  await recordActivity(db, actor, {
    action: "download_link.create",
    targetType: "backup",
    targetId: backup.id,
    targetLabel: `${projectName} / ${environmentName}`,
    message: `Download link for the ${LABEL.filestore}, reassembled from its stored files${storedEncrypted ? (decrypted ? " (decrypted)" : " (encrypted)") : ""}, valid until ${expiresAt.toISOString()}`,
    details: { linkId: row!.id, artifact: "filestore", expiresAt: expiresAt.toISOString(), signedBy: "console", decrypted },
  });
  return { ...toItem(row!, reassembledFile(backup.id, storedEncrypted && !decrypted), actor.label), url: consoleUrl(row!, expiresAt) };
}

function consoleUrl(row: typeof downloadLinks.$inferSelect, expiresAt: Date): string {
  return `${env().publicUrl}/download/${signLinkToken({ linkId: row.id, backupId: row.backupId, artifact: row.artifact, expiresAt })}`;
}

/**
 * A console link that builds the backup in one of its source's export formats as it is used (e.g. Odoo's zip),
 * optionally neutralized. It is recorded against the database file, which every export is built from.
 */
async function createExportLink(db: DbOrTx, plugins: PluginHost, actor: Principal, found: FoundBackup, input: LinkInput & { format: string }, expiresInSeconds: number) {
  const { backup, projectName, environmentName, source } = found;
  if (input.artifact !== undefined) throw new ValidationError("An export is one file built from the whole backup: leave out `artifact`", { artifact: "Not with an export format" });
  if (input.encrypted) throw new ValidationError("An export is built from the decrypted files: leave out `encrypted`", { encrypted: "Not with an export format" });
  const format = exportFormatOf(plugins, source, input.format);
  const neutralized = input.neutralize ?? false;
  if (neutralized && !canNeutralize(plugins, source)) throw new ValidationError(`The "${source}" source cannot neutralize a copy: export without neutralize`, { neutralize: "Not supported by this source" });
  const [database] = await db.select().from(backupArtifacts).where(and(eq(backupArtifacts.backupId, backup.id), eq(backupArtifacts.kind, "database")));
  if (!database) throw new NotFoundError("This backup's database dump");
  const expiresAt = new Date(Date.now() + expiresInSeconds * 1000);
  const [row] = await db
    .insert(downloadLinks)
    .values({ orgId: actor.orgId, backupId: backup.id, artifact: "database", signedBy: "console", format: format.id, neutralized, expiresAt, createdBy: actor.userId })
    .returning();
  await recordActivity(db, actor, {
    action: "download_link.create",
    targetType: "backup",
    targetId: backup.id,
    targetLabel: `${projectName} / ${environmentName}`,
    message: `Download link for the backup as ${format.title}${neutralized ? ", neutralized" : ""}, valid until ${expiresAt.toISOString()}`,
    details: { linkId: row!.id, format: format.id, neutralized, expiresAt: expiresAt.toISOString(), signedBy: "console" },
  });
  return { ...toItem(row!, exportFile(plugins, found, format.id), actor.label), url: consoleUrl(row!, expiresAt) };
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

type LinkFile = { fileName: string; size: number | null; encrypted: boolean };

/** A filestore kept as shared objects downloads as the tar.gz a full archive would have been; its length is known only once built. */
function reassembledFile(backupId: string, encrypted: boolean): LinkFile {
  return { fileName: artifactFileName(backupId, "filestore", undefined, encrypted), size: null, encrypted };
}

function storedFile(row: typeof downloadLinks.$inferSelect, artifact: { key: string; size: number; layout: "file" | "objects" }): LinkFile {
  if (artifact.layout === "objects") return reassembledFile(row.backupId, isEncryptedFile(artifact.key) && !row.decrypted);
  return {
    fileName: row.decrypted ? decryptedFileName(fileNameOf(artifact.key)) : fileNameOf(artifact.key),
    size: row.decrypted ? agePlaintextSize(artifact.size) : artifact.size,
    encrypted: isEncryptedFile(artifact.key) && !row.decrypted,
  };
}

/** An export's file name; its extension from the source's declaration (the format id when the plugin is gone). */
function exportFile(plugins: PluginHost, { backup, environmentName, source }: FoundBackup, formatId: string): LinkFile {
  const declared = plugins.contributions("sources").find((c) => c.id === source)?.exports?.find((f) => f.id === formatId);
  return { fileName: exportFileName(environmentName, backup.finishedAt ?? backup.createdAt, declared?.extension ?? formatId), size: null, encrypted: false };
}

function toItem(row: typeof downloadLinks.$inferSelect, file: LinkFile, createdBy: string | null): z.infer<typeof downloadLinkItem> {
  return {
    id: row.id,
    backupId: row.backupId,
    artifact: row.artifact,
    ...file,
    signedBy: row.signedBy,
    format: row.format,
    neutralized: row.neutralized,
    expiresAt: row.expiresAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
    createdBy,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The links made for a backup, newest first (their URLs are shown once, when made). */
export async function listDownloadLinks(db: DbOrTx, plugins: PluginHost, actor: Principal, backupId: string) {
  const found = await findBackup(db, actor, backupId);
  const rows = await db
    .select({ link: downloadLinks, key: backupArtifacts.key, size: backupArtifacts.size, layout: backupArtifacts.layout, createdBy: users.email })
    .from(downloadLinks)
    .innerJoin(backupArtifacts, and(eq(backupArtifacts.backupId, downloadLinks.backupId), eq(backupArtifacts.kind, downloadLinks.artifact)))
    .leftJoin(users, eq(users.id, downloadLinks.createdBy))
    .where(and(eq(downloadLinks.backupId, backupId), eq(downloadLinks.orgId, actor.orgId)))
    .orderBy(desc(downloadLinks.createdAt));
  return rows.map((r) => toItem(r.link, r.link.format ? exportFile(plugins, found, r.link.format) : storedFile(r.link, r), r.createdBy));
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
    message: `Revoked the download link for ${row.format ? `the backup as ${row.format}` : `the ${LABEL[row.artifact]}`}${row.signedBy === "provider" ? " (a presigned link: the storage honours it until it expires)" : ""}`,
    details: { linkId: id },
  });
}
