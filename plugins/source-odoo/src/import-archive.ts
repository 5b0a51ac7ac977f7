import type { SourceBackup, SourceImportContext } from "@safehold/plugin-api";
import { importDumpFile, sniffStream } from "@safehold/postgres-tools";
import { readOdooZip } from "./import-zip";

/**
 * Imports what Odoo's `restore_db` accepts, and the dumps agencies carry around besides: an Odoo zip (dump.sql,
 * filestore/, manifest.json), or a plain, gzipped or custom-format pg_dump of an Odoo database without files.
 * The file's first bytes decide which, never its name.
 */
export async function importOdooArchive({ input, fileName, signal, log }: SourceImportContext): Promise<SourceBackup> {
  const { kind, stream } = await sniffStream(input);
  if (kind !== "zip" && /\.zip$/i.test(fileName)) throw new Error("The file is not a zip: it does not begin as one (it may be damaged or not a zip at all)");
  if (kind !== "zip") {
    log.info(`Importing ${fileName} as a ${kind === "plain" ? "plain SQL" : kind === "gzip" ? "gzipped" : "custom-format"} dump (no filestore)`);
    return await importDumpFile(stream, fileName, signal);
  }
  log.info(`Importing ${fileName} as an Odoo zip`);
  const zip = readOdooZip(stream, signal);
  // The manifest may come last in the zip: what it says is read once every artifact has been stored.
  return {
    get metadata() {
      return { ...(zip.manifest()?.metadata ?? {}), imported: { fileName, format: "odoo-zip" } };
    },
    get application() {
      return zip.manifest()?.application;
    },
    artifacts: zip.artifacts,
  };
}
