import type { SourceContribution } from "@safehold/plugin-api";
import { destroyFolder, folderExists, folderStats, formatBytes, logCompression, streamFolder } from "@safehold/plugin-helpers";
import { findClient, findDump, quoteIdentifier, quoteString, runSql } from "./client";
import { mysqlConfig, uploadsFolder } from "./config";
import { discoverMysqlDatabases } from "./discover";
import { streamDump } from "./dump";
import { discardMovedAside, restoreMysql } from "./restore";
import { readServerInfo } from "./server-info";
import { missingUploads, UPLOADS } from "./uploads";

export const mysqlSource: SourceContribution = {
  async testConnection({ config: raw, server }) {
    const config = mysqlConfig(raw);
    let info;
    try {
      server.checkDatabase(config.database);
      info = await readServerInfo(server, await findClient(server), config);
    } catch (err) {
      return { ok: false, message: (err as Error).message };
    }
    const details = { flavour: info.flavour, serverVersion: info.version, sizeBytes: info.sizeBytes };
    const reached = `Connected to ${info.flavour} ${info.version}, database "${config.database}" (${formatBytes(info.sizeBytes)})`;
    let uploads = "";
    if (config.uploadsDir) {
      try {
        const folder = await server.resolveFolder(uploadsFolder(config), "read");
        if (!(await folderExists(server, folder))) return { ok: false, message: `${reached}, but ${missingUploads(folder)}`, details };
        uploads = `; uploads at ${folder}`;
      } catch (err) {
        return { ok: false, message: `${reached}, but ${(err as Error).message}`, details };
      }
    }
    const dump = await findDump(server);
    if (!dump.ok) return { ok: false, message: `${reached}, but ${dump.message}`, details };
    return { ok: true, message: `${reached}${uploads}; ${dump.program} ${dump.version} is available`, details: { ...details, dumpTool: dump.program, dumpVersion: dump.version } };
  },

  async backup({ config: raw, server, includeFilestore, signal, log }) {
    const config = mysqlConfig(raw);
    // Everything is checked before the first byte is streamed, so a backup that cannot work fails clearly and leaves nothing.
    server.checkDatabase(config.database);
    const info = await readServerInfo(server, await findClient(server), config);
    const dump = await findDump(server);
    if (!dump.ok) throw new Error(dump.message.charAt(0).toUpperCase() + dump.message.slice(1));
    const withUploads = includeFilestore && config.uploadsDir !== "";
    // What is archived must resolve inside the server's allowed folders, links followed.
    const folder = withUploads ? await server.resolveFolder(uploadsFolder(config), "read") : "";
    let stats;
    if (withUploads) {
      if (!(await folderExists(server, folder))) throw new Error(`Cannot back up the uploads folder: ${missingUploads(folder)}`);
      stats = await folderStats(server, folder, signal, UPLOADS);
    }
    const compression = await server.compression({ signal });
    logCompression(compression, log);
    return {
      metadata: {
        engine: info.flavour === "MariaDB" ? "mariadb" : "mysql",
        flavour: info.flavour,
        serverVersion: info.version,
        database: config.database,
        databaseSizeBytes: info.sizeBytes,
        characterSet: info.charset,
        collation: info.collation,
        dumpTool: dump.program,
        dumpVersion: dump.version,
        ...(stats ? { uploadsFiles: stats.files, uploadsBytes: stats.bytes } : {}),
      },
      artifacts: (async function* () {
        yield { kind: "database" as const, ...streamDump(server, dump, config, signal, compression) };
        if (withUploads) yield { kind: "filestore" as const, ...streamFolder(server, folder, signal, UPLOADS, compression) };
      })(),
    };
  },

  restore: restoreMysql,
  discardPreviousCopy: discardMovedAside,
  discover: discoverMysqlDatabases,

  /** Drops the database, then removes its uploads folder when one is configured (within the server's rules; gone already is fine). */
  async destroy({ config: raw, server, signal }) {
    const config = mysqlConfig(raw);
    server.checkDatabase(config.database);
    // A folder the server's rules refuse stops the destroy before anything is dropped.
    if (config.uploadsDir) await server.resolveFolder(uploadsFolder(config), "replace");
    const client = await findClient(server);
    const [found] = await runSql(server, client, config, null, `SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ${quoteString(config.database)}`, signal);
    const removed: string[] = [];
    if (found?.[0] !== "0") {
      await runSql(server, client, config, null, `DROP DATABASE IF EXISTS ${quoteIdentifier(config.database)}`, signal);
      removed.push(`database "${config.database}"`);
    }
    if (config.uploadsDir) removed.push(...(await destroyFolder(server, uploadsFolder(config), "uploads folder")));
    return { removed };
  },
};
