import type { ApplicationInfo } from "@safehold/plugin-api";
import { ZipProblem } from "./import-limits";
import { odooApplication, type OdooManifest } from "./odoo-manifest";

/** Odoo's manifest.json is a few kilobytes even with hundreds of modules; past this it is not one. */
export const MANIFEST_LIMIT = 1024 * 1024;

const MODULE_LIMIT = 5000;

const isText = (value: unknown, max = 200): value is string => typeof value === "string" && value.length <= max;

/**
 * The manifest.json of an imported Odoo zip, checked field by field against what Odoo's `dump_db_manifest`
 * writes; what the backup records is rebuilt from those fields only, so nothing else in the file travels on.
 */
export function parseOdooManifest(bytes: Buffer): { metadata: OdooManifest; application: ApplicationInfo } {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new ZipProblem("The zip's manifest.json is not valid JSON");
  }
  const notOdoo = (why: string) => new ZipProblem(`The zip's manifest.json is not an Odoo backup manifest: ${why}`);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw notOdoo("it is not a JSON object");
  const m = raw as Record<string, unknown>;
  if (m.odoo_dump !== "1") throw notOdoo('its "odoo_dump" is not "1"');
  if (!isText(m.version, 40) || !/^(saas~)?\d+\.\d+/.test(m.version)) throw notOdoo('its "version" is not an Odoo version such as "16.0"');
  if (typeof m.modules !== "object" || m.modules === null || Array.isArray(m.modules)) throw notOdoo('its "modules" is not an object');
  const entries = Object.entries(m.modules as Record<string, unknown>);
  if (entries.length > MODULE_LIMIT) throw notOdoo(`it lists more than ${MODULE_LIMIT} modules`);
  const modules: Record<string, string> = {};
  for (const [name, version] of entries) {
    if (!/^[A-Za-z0-9_.-]{1,128}$/.test(name) || !isText(version, 64)) throw notOdoo(`its module ${JSON.stringify(name.slice(0, 60))} is not a module name with a version`);
    modules[name] = version;
  }
  const series = m.version.replace(/^saas~/, "");
  const metadata: OdooManifest = {
    odoo_dump: "1",
    db_name: isText(m.db_name, 128) ? m.db_name : "",
    version: series,
    version_info: Array.isArray(m.version_info) ? m.version_info.filter((v): v is number | string => typeof v === "number" || isText(v, 40)).slice(0, 6) : [],
    major_version: isText(m.major_version, 40) ? m.major_version : series,
    pg_version: isText(m.pg_version, 40) ? m.pg_version : "",
    modules,
  };
  return { metadata, application: odooApplication(metadata) };
}
