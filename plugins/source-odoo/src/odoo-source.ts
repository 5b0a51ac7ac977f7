import type { ServerConnection, SourceContribution } from "@safehold/plugin-api";
import { checkDumpable, checkPgDump, connectThroughServer, postgresFailure, destroyDatabase, readServerInfo, streamPgDump } from "@safehold/postgres-tools";
import { destroyFolder, folderExists, folderFileSet, folderStats, formatBytes, logCompression, streamFolder } from "@safehold/plugin-helpers";
import { filestoreFolder, odooConfig, type OdooConfig } from "./config";
import { discoverOdooDatabases } from "./discover";
import { exportOdooZip } from "./export-zip";
import { importOdooArchive } from "./import-archive";
import { FILESTORE, missingFilestore } from "./filestore";
import { odooApplication, readOdooManifest, type OdooManifest } from "./odoo-manifest";
import { discardOdooCopy } from "./previous-copy";
import { stageOdooRestore } from "./staged-restore";

async function readManifest(server: ServerConnection, config: OdooConfig): Promise<OdooManifest> {
  const sql = connectThroughServer(server, config);
  try {
    return await readOdooManifest(sql, config.database);
  } catch (err) {
    throw postgresFailure(err, config);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

export const odooSource: SourceContribution = {
  async testConnection({ config: raw, server }, { signal }) {
    signal.throwIfAborted();
    const config = odooConfig(raw);
    let info;
    let manifest;
    try {
      info = await readServerInfo(server, config);
      manifest = await readManifest(server, config);
    } catch (err) {
      return { ok: false, message: (err as Error).message };
    }
    const details = { odooVersion: manifest.version, serverVersion: info.version, sizeBytes: info.sizeBytes, modules: Object.keys(manifest.modules).length };
    const reached = `Connected to Odoo ${manifest.version}, database "${config.database}" (${formatBytes(info.sizeBytes)}, ${details.modules} modules) on PostgreSQL ${info.version}`;
    let folder;
    try {
      folder = await server.resolveFolder(filestoreFolder(config), "read");
    } catch (err) {
      return { ok: false, message: `${reached}, but ${(err as Error).message}`, details };
    }
    if (!(await folderExists(server, folder))) return { ok: false, message: `${reached}, but ${missingFilestore(folder)}`, details };
    const dump = await checkPgDump(server, info.version);
    if (!dump.ok) return { ok: false, message: `${reached}, but ${dump.message}`, details };
    return { ok: true, message: `${reached}; filestore at ${folder}; pg_dump ${dump.version} is available`, details: { ...details, filestore: folder, pgDumpVersion: dump.version } };
  },

  async backup({ config: raw, server, includeFilestore, fileLayout, signal, log }) {
    const config = odooConfig(raw);
    // Everything is checked before the first byte is streamed, so a backup that cannot work fails clearly and leaves nothing.
    const { dump } = await checkDumpable(server, config);
    const manifest = await readManifest(server, config);
    if (!dump.ok) throw new Error(dump.message);
    // What is archived must resolve inside the server's allowed folders, links followed.
    const folder = includeFilestore ? await server.resolveFolder(filestoreFolder(config), "read") : "";
    let stats;
    if (includeFilestore) {
      if (!(await folderExists(server, folder))) throw new Error(`Cannot back up the filestore: ${missingFilestore(folder)}`);
      stats = await folderStats(server, folder, signal, FILESTORE);
    }
    const compression = await server.compression({ signal });
    logCompression(compression, log);
    return {
      application: odooApplication(manifest),
      metadata: { ...manifest, ...(stats ? { filestoreFiles: stats.files, filestoreBytes: stats.bytes } : {}) },
      artifacts: (async function* () {
        yield { kind: "database" as const, ...streamPgDump(server, config, signal, compression) };
        if (!includeFilestore) return;
        // Asked for objects, the console lists the filestore and reads only the files its storage lacks.
        if (fileLayout === "objects") yield { kind: "filestore" as const, files: folderFileSet(server, folder, FILESTORE, compression) };
        else yield { kind: "filestore" as const, ...streamFolder(server, folder, signal, FILESTORE, compression) };
      })(),
    };
  },

  async readApplication({ config: raw, server }, { signal }) {
    signal.throwIfAborted();
    return odooApplication(await readManifest(server, odooConfig(raw)));
  },

  /** Drops the database, then removes its filestore folder (both within the server's rules; gone already is fine). */
  async destroy(context) {
    const folder = filestoreFolder(odooConfig(context.config));
    // A folder the server's rules refuse stops the destroy before anything is dropped.
    await context.server.resolveFolder(folder, "replace");
    const database = await destroyDatabase(context);
    return { removed: [...database.removed, ...(await destroyFolder(context.server, folder, "filestore"))] };
  },

  restore: stageOdooRestore,
  discardPreviousCopy: discardOdooCopy,
  discover: discoverOdooDatabases,
  exportArchive: exportOdooZip,
  importArchive: importOdooArchive,
};
