import { Readable } from "node:stream";
import { PluginError, type SourceExportContext } from "@safehold/plugin-api";
import { ZipWriter } from "@safehold/plugin-helpers";
import { eraseDump, type ErasedDump } from "./erasure-dump";
import { addFilestore } from "./export-filestore";
import { exportManifest } from "./export-manifest";
import { neutralizeScript } from "./neutralize";

export const ODOO_ZIP = "odoo-zip";

/** The dump, then the neutralization script after its last line. */
function withScript(dump: Readable, script: string): Readable {
  const joined = Readable.from(
    (async function* () {
      for await (const chunk of dump) yield chunk as Buffer;
      yield Buffer.from(script);
    })(),
  );
  joined.once("close", () => dump.destroy());
  return joined;
}

/**
 * The zip Odoo 16's database manager writes (`odoo/service/db.py` `dump_db` through `odoo/tools/osutil.py`
 * `zip_dir`): `dump.sql` (pg_dump's plain SQL), `manifest.json` (json.dump with indent 4), then every file of the
 * filestore as `filestore/<path>`, deflated, Zip64 where needed, no folder entries. Built as a stream from the
 * backup's stored files; neutralized on request (Odoo's neutralization appended to the dump) and with the project's
 * erased subjects rewritten in the dump and their attachments' files left out of the filestore.
 */
export async function exportOdooZip(context: SourceExportContext): Promise<Readable> {
  const { format, metadata, artifacts, openArtifact, neutralize, erasedSubjects, signal, log } = context;
  if (format !== ODOO_ZIP) throw PluginError.notSupported(`The Odoo source exports no "${format}" format`);
  if (!artifacts.includes("database")) throw PluginError.notFound("The backup has no database dump to export");
  const manifest = exportManifest(metadata);
  signal.throwIfAborted();
  // Opened before the response starts, so a file that cannot be opened (or an erasure that cannot be applied) is refused cleanly.
  const erased: ErasedDump =
    erasedSubjects.length > 0 ? await eraseDump(() => openArtifact("database"), erasedSubjects, signal) : { dump: await openArtifact("database"), erasedFiles: Promise.resolve(new Set()) };
  const dump = neutralize ? withScript(erased.dump, neutralizeScript()) : erased.dump;

  const zip = new ZipWriter();
  const opened: Readable[] = [dump];
  const stop = () => {
    zip.fail(signal.reason instanceof Error ? signal.reason : new Error("The export was stopped"));
    for (const stream of opened) stream.destroy();
  };
  signal.addEventListener("abort", stop, { once: true });
  zip.output.once("close", () => {
    signal.removeEventListener("abort", stop);
    for (const stream of opened) stream.destroy();
  });

  void (async () => {
    await zip.add("dump.sql", dump);
    await zip.add("manifest.json", Readable.from([Buffer.from(manifest)]));
    if (artifacts.includes("filestore")) {
      // Known once dump.sql was read to its end: the erased people's attachment files no kept attachment shares.
      const leaveOut = await erased.erasedFiles;
      const open = () => {
        const next = openArtifact("filestore");
        void next.then((stream) => opened.push(stream), () => {});
        return next;
      };
      const { written, left } = await addFilestore(zip, open, log, leaveOut);
      log.info(`Exported ${written} filestore file${written === 1 ? "" : "s"}${left ? `; left out ${left} of erased people` : ""}`);
    }
    zip.end();
  })().catch((err: unknown) => {
    zip.fail(err instanceof Error ? err : new Error(String(err)));
    for (const stream of opened) stream.destroy();
  });
  return zip.output;
}
