import { signManifest, verifyManifestSignature } from "@/server/backups/manifest-signature";
import { deriveKey } from "@/server/crypto/secret-key";

/** Every self-backup lives under this prefix of its storage location: `safehold-console/<timestamp>/`. */
export const SELF_BACKUP_PREFIX = "safehold-console/";
export const DUMP_FILE = "console.sql.gz.age";
export const MANIFEST_FILE = "console-manifest.json";

export type ConsoleManifest = {
  format: "safehold-console-backup/1";
  key: string;
  size: number;
  sha256: string;
  createdAt: string;
  consoleVersion: string;
  /** How many of Safehold's database migrations the dumped database had applied. */
  migrations: number;
};

/** `safehold-console/2026-12-07T01-02-03-004Z/`: sorts by time, and names the moment in the location's listing. */
export function selfBackupFolder(at: Date): string {
  return `${SELF_BACKUP_PREFIX}${at.toISOString().replace(/[:.]/g, "-")}/`;
}

export function buildConsoleManifest(manifest: ConsoleManifest): Buffer {
  return Buffer.from(`${JSON.stringify(signManifest(manifest), null, 2)}\n`);
}

/** The manifest when it is a self-backup manifest signed with the manifest key of `master`; null otherwise. */
export function verifyConsoleManifest(text: string, master: Buffer): ConsoleManifest | null {
  const body = verifyManifestSignature(text, deriveKey("manifest-signing", master));
  if (!body || body.format !== "safehold-console-backup/1" || typeof body.key !== "string" || typeof body.size !== "number" || typeof body.sha256 !== "string") return null;
  return body as ConsoleManifest;
}
