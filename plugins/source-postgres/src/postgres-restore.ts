import type { PreviousCopy, SourceContext, SourceRestoreContext, StagedRestore } from "@safehold/plugin-api";
import { dropDatabase, isMovedAsideDatabase, postgresConfig, restoreTag, StagedDatabase, withMaintenanceDatabase } from "@safehold/postgres-tools";

/** A plain PostgreSQL restore: the database only, loaded beside the target and renamed into place. */
export async function restorePostgres({ config: raw, server, restoreId, targetIsNew, signal }: SourceRestoreContext): Promise<StagedRestore> {
  const database = new StagedDatabase(server, postgresConfig(raw), restoreTag(restoreId), signal);
  if (targetIsNew) await database.assertTargetAbsent();
  return {
    loadDatabase: (content) => database.load(content),
    async loadFiles() {
      throw new Error("PostgreSQL backups have no files to restore");
    },
    async prepare({ erasedSubjects }) {
      // Handing back a copy in which erased people reappear is worse than no copy at all.
      if (erasedSubjects.length > 0) {
        throw new Error(
          "Erasure rules cannot be applied to a plain PostgreSQL database: Safehold does not know which tables hold personal data, so it will not hand back a copy in which erased people reappear",
        );
      }
      return { identityRegenerated: false, neutralized: [], erasedRecords: 0 };
    },
    async swap() {
      const { aside } = await database.swapIn();
      return aside ? { description: `database "${aside}"`, database: aside } : null;
    },
    discard: () => database.discard(),
  };
}

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
