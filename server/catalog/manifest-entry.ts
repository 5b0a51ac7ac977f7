import type { ApplicationInfo } from "@safehold/plugin-api";
import { applicationFrom } from "@/server/backups/application-info";
import type { StoredObject } from "@/server/plugins/contracts";
import { BACKUP_TYPES, RETENTION_CLASSES, STAGES } from "@/shared/enum-values";

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
/** `<org>/<project>/<environment>/<backup>/backup-<backup>-manifest.json`, as `backupPrefix` and `artifactFileName` write it. */
const MANIFEST_KEY = new RegExp(`^(${UUID})/(${UUID})/(${UUID})/(${UUID})/backup-\\4-manifest\\.json$`);

export type ManifestLocation = { key: string; size: number; orgId: string; projectId: string; environmentId: string; backupId: string };

/** The Safehold backup manifests among a location's objects, with the ids their path names. */
export function manifestsIn(objects: StoredObject[]): ManifestLocation[] {
  return objects.flatMap((o) => {
    const match = MANIFEST_KEY.exec(o.key);
    return match ? [{ key: o.key, size: o.size, orgId: match[1]!, projectId: match[2]!, environmentId: match[3]!, backupId: match[4]! }] : [];
  });
}

export type ImportedArtifact = { kind: "database" | "filestore"; key: string; size: number; sha256: string; encryptionRecipient: string | null; layout: "file" | "objects" };

/** What a catalog import takes from a manifest: the backup's row, and where it came from. */
export type ImportedManifest = {
  backupId: string;
  type: (typeof BACKUP_TYPES)[number];
  name: string;
  notes: string;
  retentionClass: (typeof RETENTION_CLASSES)[number];
  includeFilestore: boolean;
  requestedAt: Date;
  startedAt: Date;
  finishedAt: Date;
  organizationId: string | null;
  project: { id: string; name: string };
  environment: { id: string; name: string; stage: (typeof STAGES)[number] };
  source: { type: string; metadata: Record<string, unknown>; application: ApplicationInfo | null };
  artifacts: ImportedArtifact[];
};

const text = (value: unknown, fallback: string) => (typeof value === "string" ? value : fallback);
const record = (value: unknown): Record<string, unknown> => (typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
const oneOf = <T extends string>(values: readonly T[], value: unknown, fallback: T): T => (values.includes(value as T) ? (value as T) : fallback);

function date(value: unknown, fallback: Date): Date {
  const parsed = typeof value === "string" ? new Date(value) : fallback;
  return Number.isNaN(parsed.getTime()) ? fallback : parsed;
}

function artifactOf(entry: unknown, prefix: string): ImportedArtifact | string {
  const e = record(entry);
  if (e.kind !== "database" && e.kind !== "filestore") return `an artifact of kind "${String(e.kind)}"`;
  if (typeof e.key !== "string" || !e.key.startsWith(prefix) || e.key.slice(prefix.length).includes("/")) return `its ${e.kind} file lies outside the backup's folder`;
  if (typeof e.size !== "number" || !Number.isSafeInteger(e.size) || e.size < 0) return `its ${e.kind} file has no valid size`;
  if (typeof e.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(e.sha256)) return `its ${e.kind} file has no valid sha256`;
  const encryption = record(e.encryption);
  const recipient = encryption.format === "age" && typeof encryption.recipient === "string" ? encryption.recipient : null;
  // A filestore kept as shared objects: its file is an index of them (only a filestore can be).
  const layout = e.layout === "objects" && e.kind === "filestore" ? "objects" : "file";
  return { kind: e.kind, key: e.key, size: e.size, sha256: e.sha256, encryptionRecipient: recipient, layout };
}

/**
 * Reads a manifest's body (signed or not) into what a backup row needs; a one-line reason when it is not a
 * Safehold backup manifest describing the backup its path names. Untrusted input: every field is checked, and
 * files must lie in the manifest's own folder (a manifest cannot claim another backup's objects).
 */
export function readImportedManifest(body: Record<string, unknown>, at: ManifestLocation): ImportedManifest | string {
  if (typeof body.format !== "string" || !body.format.startsWith("safehold-backup/")) return "not a Safehold backup manifest";
  if (body.backupId !== at.backupId) return "its backup id differs from the one its path names";
  const project = record(body.project);
  const environment = record(body.environment);
  if (project.id !== undefined && project.id !== at.projectId) return "its project differs from the one its path names";
  if (environment.id !== undefined && environment.id !== at.environmentId) return "its environment differs from the one its path names";
  const prefix = at.key.slice(0, at.key.lastIndexOf("/") + 1);
  const artifacts: ImportedArtifact[] = [];
  for (const entry of Array.isArray(body.artifacts) ? body.artifacts : []) {
    const artifact = artifactOf(entry, prefix);
    if (typeof artifact === "string") return artifact;
    if (artifacts.some((a) => a.kind === artifact.kind)) return `it lists two ${artifact.kind} files`;
    artifacts.push(artifact);
  }
  if (!artifacts.some((a) => a.kind === "database")) return "it lists no database file";
  const requestedAt = date(body.requestedAt, new Date());
  const finishedAt = date(body.finishedAt, requestedAt);
  const { type: sourceType, application, ...metadata } = record(body.source);
  if (typeof sourceType !== "string" || !/^[a-z0-9-]{1,50}$/.test(sourceType)) return "it names no source type";
  const organization = record(body.organization);
  return {
    backupId: at.backupId,
    type: oneOf(BACKUP_TYPES, body.type, "manual"),
    name: text(body.name, "").slice(0, 200),
    notes: text(body.notes, "").slice(0, 2000),
    retentionClass: oneOf(RETENTION_CLASSES, body.retentionClass, "permanent"),
    includeFilestore: artifacts.some((a) => a.kind === "filestore"),
    requestedAt,
    startedAt: date(body.startedAt, requestedAt),
    finishedAt,
    organizationId: typeof organization.id === "string" ? organization.id : null,
    project: { id: at.projectId, name: text(project.name, "Imported project").trim().slice(0, 80) || "Imported project" },
    environment: { id: at.environmentId, name: text(environment.name, "Imported environment").trim().slice(0, 80) || "Imported environment", stage: oneOf(STAGES, environment.stage, "production") },
    source: { type: sourceType, metadata, application: applicationFrom(application) },
    artifacts,
  };
}
