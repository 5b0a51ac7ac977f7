import type { SourceContribution } from "@safehold/plugin-api";
import { checkDumpable, checkPgDump, postgresConfig, readServerInfo, streamPgDump } from "@safehold/postgres-tools";
import { formatBytes, logCompression } from "@safehold/plugin-helpers";
import { destroyDatabase, dropMovedAsideDatabase, importDumpFile } from "@safehold/postgres-tools";
import { restorePostgres } from "./postgres-restore";

export const postgresSource: SourceContribution = {
  async testConnection({ config: raw, server }, { signal }) {
    signal.throwIfAborted();
    const config = postgresConfig(raw);
    let info;
    try {
      info = await readServerInfo(server, config);
    } catch (err) {
      return { ok: false, message: (err as Error).message };
    }
    const reached = `Connected to PostgreSQL ${info.version}, database "${config.database}" (${formatBytes(info.sizeBytes)})`;
    const dump = await checkPgDump(server, info.version);
    if (!dump.ok) return { ok: false, message: `${reached}, but ${dump.message}`, details: { serverVersion: info.version } };
    return {
      ok: true,
      message: `${reached}; pg_dump ${dump.version} is available`,
      details: { serverVersion: info.version, sizeBytes: info.sizeBytes, pgDumpVersion: dump.version },
    };
  },

  async backup({ config: raw, server, signal, log }) {
    const config = postgresConfig(raw);
    // Checked first, so an unreachable server or an unusable pg_dump fails with a clear message before anything is written.
    const [{ info, dump }, compression] = await Promise.all([checkDumpable(server, config), server.compression({ signal })]);
    if (!dump.ok) throw new Error(dump.message);
    logCompression(compression, log);
    return {
      metadata: { engine: "postgresql", serverVersion: info.version, database: config.database, databaseSizeBytes: info.sizeBytes, pgDumpVersion: dump.version },
      artifacts: (async function* () {
        yield { kind: "database" as const, ...streamPgDump(server, config, signal, compression) };
      })(),
    };
  },

  restore: restorePostgres,
  discardPreviousCopy: dropMovedAsideDatabase,
  destroy: destroyDatabase,
  importArchive: ({ input, fileName, signal }) => importDumpFile(input, fileName, signal),
};
