import type { PreviousCopy, SourceContext } from "@safehold/plugin-api";
import { postgresConfig } from "./config";
import { dropDatabase, withMaintenanceDatabase } from "./restore-database";
import { isMovedAsideDatabase } from "./restore-names";

/** Drops a database a restore moved aside; refuses any name that is not such a copy of this environment's database. */
export async function dropMovedAsideDatabase({ config: raw, server }: SourceContext, copy: PreviousCopy): Promise<void> {
  const config = postgresConfig(raw);
  const name = copy.database;
  if (name === undefined || name === null) return;
  if (typeof name !== "string" || !isMovedAsideDatabase(config.database, name)) {
    throw new Error(`Refusing to drop database "${String(name)}": it is not a copy of "${config.database}" that a restore moved aside`);
  }
  await withMaintenanceDatabase(server, config, (sql) => dropDatabase(sql, name));
}
