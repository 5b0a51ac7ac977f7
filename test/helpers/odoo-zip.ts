import { execFileSync } from "node:child_process";

/**
 * What Odoo 16's database manager writes, read from its source (repo odoo/odoo):
 * - odoo/service/db.py `dump_db` (commit 00413a79cfcf7e4c379160063ef8b2ec8a13b7a0): pg_dump `--no-owner` into
 *   `dump.sql`, the filestore copied to `filestore/`, `manifest.json` from `dump_db_manifest` (json.dump, indent=4),
 *   zipped by `zip_dir(dump_dir, stream, include_dir=False, fnct_sort=lambda file_name: file_name != 'dump.sql')`;
 * - odoo/tools/osutil.py `zip_dir` (commit 1368c11f24bed6820d0b4937f5a443f61c981996): `zipfile.ZipFile(stream, 'w',
 *   compression=zipfile.ZIP_DEFLATED, allowZip64=True)`, walking top-down with os.walk, each folder's files sorted
 *   with that key (so `dump.sql` first, then `manifest.json`, then the filestore's folders), files only (no folder
 *   entries);
 * - `dump_db_manifest`: the keys odoo_dump, db_name, version, version_info, major_version, pg_version, modules;
 * - `restore_db`: `zipfile.is_zipfile`, then extracts only `dump.sql` and the members starting with `filestore/`,
 *   and loads `psql -q -f dump.sql`.
 */
export const ODOO_MANIFEST_KEYS = ["odoo_dump", "db_name", "version", "version_info", "major_version", "pg_version", "modules"];

export type ZipMember = { name: string; deflated: boolean; size: number; isDir: boolean; zip64: boolean };

const INSPECT = `
import json, struct, sys, zipfile
def zip64(extra):
    at = 0
    while at + 4 <= len(extra):
        kind, size = struct.unpack("<HH", extra[at:at + 4])
        if kind == 1:
            return True
        at += 4 + size
    return False
path = sys.argv[1]
out = {"isZip": zipfile.is_zipfile(path)}
with zipfile.ZipFile(path) as z:
    out["bad"] = z.testzip()
    out["members"] = [{"name": i.filename, "deflated": i.compress_type == zipfile.ZIP_DEFLATED, "size": i.file_size,
                       "isDir": i.is_dir(), "zip64": zip64(i.extra)} for i in z.infolist()]
    out["manifest"] = z.read("manifest.json").decode("ascii") if "manifest.json" in z.namelist() else None
print(json.dumps(out))
`;

/** The zip as Python's zipfile (Odoo's reader) sees it: each member, and whether every CRC checks out (`bad` null). */
export function inspectZip(file: string): { isZip: boolean; bad: string | null; members: ZipMember[]; manifest: string | null } {
  return JSON.parse(execFileSync("python3", ["-c", INSPECT, file], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 })) as ReturnType<typeof inspectZip>;
}

const EXTRACT = `
import os, sys, zipfile
path, into = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(path, 'r') as z:
    filestore = [m for m in z.namelist() if m.startswith('filestore/')]
    z.extractall(into, ['dump.sql'] + filestore)
`;

/** Extracts the zip as Odoo's `restore_db` does: only `dump.sql` and the `filestore/` members. */
export function extractAsOdoo(file: string, into: string): void {
  execFileSync("python3", ["-c", EXTRACT, file, into]);
}

/** Loads a plain SQL dump as Odoo's restore does (`psql -q -f dump.sql`), stopping at the first error. */
export function psqlLoad(url: string, file: string): void {
  execFileSync("psql", ["-q", "-X", "-v", "ON_ERROR_STOP=1", `--dbname=${url}`, "-f", file], { stdio: ["ignore", "ignore", "pipe"] });
}
