import { describe, expect, it } from "vitest";
import { readImportedManifest, type ManifestLocation } from "@/server/catalog/manifest-entry";

const ids = { orgId: "00000000-0000-4000-8000-000000000001", projectId: "00000000-0000-4000-8000-000000000002", environmentId: "00000000-0000-4000-8000-000000000003", backupId: "00000000-0000-4000-8000-000000000004" };
const folder = `${ids.orgId}/${ids.projectId}/${ids.environmentId}/${ids.backupId}/`;
const at: ManifestLocation = { ...ids, key: `${folder}backup-${ids.backupId}-manifest.json`, size: 1000 };
const database = { kind: "database", key: `${folder}backup-${ids.backupId}-database.sql.gz`, size: 10, sha256: "a".repeat(64) };

function manifest(source: unknown, artifacts: unknown[] = [database]): Record<string, unknown> {
  return { format: "safehold-backup/1", backupId: ids.backupId, source, artifacts };
}

/** A manifest read back from storage is untrusted: every field the catalog import keeps is checked. */
describe("reading a stored manifest for a catalog import", () => {
  it("keeps the source type, its metadata and a well-formed application", () => {
    const read = readImportedManifest(manifest({ type: "odoo", db_name: "acme", application: { name: "Odoo", version: "16.0", major: "16", modules: { base: "16.0.1.3" } } }), at);
    expect(read).toMatchObject({ source: { type: "odoo", metadata: { db_name: "acme" }, application: { name: "Odoo", major: "16" } } });
  });

  it("refuses a manifest that names no source type instead of guessing one", () => {
    expect(readImportedManifest(manifest({ db_name: "acme" }), at)).toBe("it names no source type");
    expect(readImportedManifest(manifest({ type: "../../etc" }), at)).toBe("it names no source type");
  });

  it("drops a malformed or oversized application rather than trusting it", () => {
    const huge = { name: "Odoo", version: "x".repeat(5000), major: "16" };
    for (const application of [huge, "16.0", { name: "Odoo" }, { name: "Odoo", version: "16.0", major: "16", modules: { base: 16 } }]) {
      const read = readImportedManifest(manifest({ type: "odoo", application }), at);
      expect(typeof read === "string" ? read : read.source.application).toBeNull();
    }
  });

  it("refuses files outside the manifest's own folder", () => {
    const elsewhere = { ...database, key: `${ids.orgId}/other/backup-x-database.sql.gz` };
    expect(readImportedManifest(manifest({ type: "postgres" }, [elsewhere]), at)).toBe("its database file lies outside the backup's folder");
  });
});
