import type { ARTIFACT_KINDS } from "@/server/db/schema";

export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

/** What a source's artifact is when its manifest does not say: a plain SQL dump, a tar of files. */
export const DEFAULT_ARTIFACT_FORMAT = {
  database: { extension: "sql", contentType: "application/sql" },
  filestore: { extension: "tar", contentType: "application/x-tar" },
} as const;

/**
 * The file names users download, as the product guide gives them for the built-in sources:
 * `backup-{id}-database.sql.gz`, `backup-{id}-filestore.tar.gz` (the source may declare another extension than
 * `sql`/`tar`; the console gzips every artifact) and `backup-{id}-manifest.json`. An encrypted artifact is the age
 * file of that gzip file: `….gz.age`.
 */
export function artifactFileName(backupId: string, kind: ArtifactKind, extension?: string, encrypted = false): string {
  if (kind === "manifest") return `backup-${backupId}-manifest.json`;
  return `backup-${backupId}-${kind}.${extension ?? DEFAULT_ARTIFACT_FORMAT[kind].extension}.gz${encrypted ? ".age" : ""}`;
}

/** The file name of an encrypted artifact once decrypted (`….gz`); other names as they are. */
export function decryptedFileName(fileName: string): string {
  return fileName.replace(/\.age$/, "");
}

/** A stored object's file name: the last part of its key (what downloads are named). */
export function fileNameOf(key: string): string {
  return key.slice(key.lastIndexOf("/") + 1);
}

/** Every object of a backup lives under `<org>/<project>/<environment>/<backup>/`. */
export function backupPrefix(backup: { orgId: string; projectId: string; environmentId: string; id: string }): string {
  return `${backup.orgId}/${backup.projectId}/${backup.environmentId}/${backup.id}/`;
}

export function artifactKey(backup: { orgId: string; projectId: string; environmentId: string; id: string }, kind: ArtifactKind, extension?: string, encrypted = false): string {
  return `${backupPrefix(backup)}${artifactFileName(backup.id, kind, extension, encrypted)}`;
}
