import type { DestroyReport, SourceDestroyContext } from "@safehold/plugin-api";
import { postgresConfig } from "./config";
import { databaseExists, dropDatabase, withMaintenanceDatabase } from "./restore-database";

/**
 * Drops the environment's database, for "Destroy environment" (after the console verified a final backup).
 * Only a database the server's database pattern allows; one already gone is not an error.
 */
export async function destroyDatabase({ config: raw, server, signal }: SourceDestroyContext): Promise<DestroyReport> {
  const config = postgresConfig(raw);
  server.checkDatabase(config.database);
  signal.throwIfAborted();
  const existed = await withMaintenanceDatabase(server, config, async (sql) => {
    if (!(await databaseExists(sql, config.database))) return false;
    await dropDatabase(sql, config.database);
    return true;
  });
  return { removed: existed ? [`database "${config.database}"`] : [] };
}
