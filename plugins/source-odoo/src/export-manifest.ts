import { PluginError } from "@safehold/plugin-api";
import type { OdooManifest } from "./odoo-manifest";

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === "string");
}

/**
 * The PostgreSQL version as Odoo's `dump_db_manifest` writes it: `"%d.%d" % divmod(server_version / 100, 100)`, a
 * float division, so every release since PostgreSQL 10 reads "<major>.0" (150018 → "15.0"), and 9.6.24 reads "9.6".
 * The backup records the precise version ("15.18"); Odoo's own zip carries the coarse one.
 */
function odooPgVersion(recorded: string): string {
  const [major = "0", minor = "0"] = recorded.split(".");
  return Number(major) >= 10 ? `${Number(major)}.0` : `${Number(major)}.${Number(minor) || 0}`;
}

/**
 * manifest.json as Odoo's `dump_db_manifest` writes it: its seven fields in its order, from what the backup recorded
 * (the same fields, read from the database when it was taken), serialized as Python's `json.dump(…, indent=4)` does
 * (Python escapes every non-ASCII character as `\uXXXX`).
 */
export function exportManifest(metadata: Record<string, unknown>): string {
  const { odoo_dump, db_name, version, version_info, major_version, pg_version, modules } = metadata;
  if (
    odoo_dump !== "1" ||
    typeof db_name !== "string" ||
    typeof version !== "string" ||
    !Array.isArray(version_info) ||
    typeof major_version !== "string" ||
    typeof pg_version !== "string" ||
    !isStringRecord(modules)
  ) {
    throw PluginError.permanent("The backup does not record Odoo's manifest (version, modules): it cannot be exported in Odoo's format");
  }
  const manifest: OdooManifest = { odoo_dump, db_name, version, version_info: version_info as OdooManifest["version_info"], major_version, pg_version: odooPgVersion(pg_version), modules };
  return JSON.stringify(manifest, null, 4).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
