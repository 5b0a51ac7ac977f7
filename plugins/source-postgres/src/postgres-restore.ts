import type { SourceRestoreContext, StagedRestore } from "@safehold/plugin-api";
import { postgresConfig, restoreTag, StagedDatabase } from "@safehold/postgres-tools";

/** A plain PostgreSQL restore: the database only, loaded beside the target and renamed into place. */
export async function restorePostgres({ config: raw, server, restoreId, targetIsNew, signal }: SourceRestoreContext): Promise<StagedRestore> {
  const database = new StagedDatabase(server, postgresConfig(raw), restoreTag(restoreId), signal);
  if (targetIsNew) await database.assertTargetAbsent();
  return {
    compressedInput: async (kind) => (kind === "database" ? database.compressedInput() : null),
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
    inspect: async () => ({ tables: await database.rowCounts() }),
  };
}
