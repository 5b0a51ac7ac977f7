import type { SourceContribution } from "@safehold/plugin-api";
import { postgresConfig } from "./config";
import { connectThroughServer, describePostgresError } from "./connect";
import { checkPgDump } from "./pg-dump";

function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export const postgresSource: SourceContribution = {
  async testConnection({ config: raw, server }) {
    const config = postgresConfig(raw);
    const sql = connectThroughServer(server, config);
    let info: { version: string; size: number };
    try {
      const [row] = await sql<{ version: string; size: string }[]>`
        select current_setting('server_version') as version, pg_database_size(current_database())::text as size`;
      info = { version: row!.version.split(" ")[0]!, size: Number(row!.size) };
    } catch (err) {
      return { ok: false, message: describePostgresError(err, config) };
    } finally {
      await sql.end({ timeout: 1 });
    }
    const reached = `Connected to PostgreSQL ${info.version}, database "${config.database}" (${formatBytes(info.size)})`;
    const dump = await checkPgDump(server, info.version);
    if (!dump.ok) return { ok: false, message: `${reached}, but ${dump.message}`, details: { serverVersion: info.version } };
    return {
      ok: true,
      message: `${reached}; pg_dump ${dump.version} is available`,
      details: { serverVersion: info.version, sizeBytes: info.size, pgDumpVersion: dump.version },
    };
  },
};
