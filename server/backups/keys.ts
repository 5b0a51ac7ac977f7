import type { ARTIFACT_KINDS } from "@/server/db/schema";

export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

const FILE_SUFFIX: Record<ArtifactKind, string> = {
  database: "database.sql.gz",
  filestore: "filestore.tar.gz",
  manifest: "manifest.json",
};

/** The file names users download, exactly as the product guide gives them. */
export function artifactFileName(backupId: string, kind: ArtifactKind): string {
  return `backup-${backupId}-${FILE_SUFFIX[kind]}`;
}

/** Every object of a backup lives under `<org>/<project>/<environment>/<backup>/`. */
export function backupPrefix(backup: { orgId: string; projectId: string; environmentId: string; id: string }): string {
  return `${backup.orgId}/${backup.projectId}/${backup.environmentId}/${backup.id}/`;
}

export function artifactKey(backup: { orgId: string; projectId: string; environmentId: string; id: string }, kind: ArtifactKind): string {
  return `${backupPrefix(backup)}${artifactFileName(backup.id, kind)}`;
}
