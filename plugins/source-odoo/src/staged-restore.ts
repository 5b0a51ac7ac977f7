import type { PreviousCopy, RestorePrepareOptions, RestorePrepareReport, SourceRestoreContext, StagedRestore } from "@safehold/plugin-api";
import { restoreTag, StagedDatabase } from "@safehold/postgres-tools";
import { folderExists, StagedFolder } from "@safehold/plugin-helpers";
import { filestoreFolder, odooConfig } from "./config";
import { ERASURE_TABLES, eraseSubjects } from "./erasure";
import { FILESTORE } from "./filestore";
import { regenerateIdentity } from "./identity";
import { NEUTRALIZE_TABLES, neutralize } from "./neutralize";
import { OdooSchema } from "./schema";

/** Identity, neutralization and erasure, in one transaction on the fresh copy. */
async function prepareCopy(database: StagedDatabase, options: RestorePrepareOptions): Promise<RestorePrepareReport> {
  const sql = database.connect();
  try {
    return await sql.begin(async (tx) => {
      const schema = await OdooSchema.read(tx, [...new Set([...NEUTRALIZE_TABLES, ...ERASURE_TABLES])]);
      const identityRegenerated = options.newIdentity ? await regenerateIdentity(tx, schema) : false;
      const neutralized = options.neutralize ? await neutralize(tx, schema) : [];
      const erasedRecords = await eraseSubjects(tx, schema, options.erasedSubjects);
      return { identityRegenerated, neutralized, erasedRecords };
    });
  } finally {
    await sql.end({ timeout: 1 });
  }
}

function describeCopy(database: string | null, folder: string | null): string {
  const parts = [database && `database "${database}"`, folder && `filestore folder "${folder}"`].filter(Boolean);
  return parts.join(" and ");
}

/** Files first, then the database; a step that fails undoes those already done, in reverse. */
async function swapIn(database: StagedDatabase, files: StagedFolder): Promise<PreviousCopy | null> {
  const folder = await files.swapIn();
  let db;
  try {
    db = await database.swapIn();
  } catch (err) {
    try {
      await folder.undo();
    } catch (undoErr) {
      throw new Error(`${(err as Error).message}; putting the filestore back failed too: ${(undoErr as Error).message}`);
    }
    throw err;
  }
  if (!db.aside && !folder.aside) return null;
  return {
    description: describeCopy(db.aside, folder.aside),
    ...(db.aside ? { database: db.aside } : {}),
    ...(folder.aside ? { filestorePath: folder.aside } : {}),
  };
}

/** An Odoo restore: database and filestore loaded beside the target, prepared, then swapped into place. */
export async function stageOdooRestore({ config: raw, server, restoreId, includeFiles, targetIsNew, signal, log }: SourceRestoreContext): Promise<StagedRestore> {
  const config = odooConfig(raw);
  const tag = restoreTag(restoreId);
  const database = new StagedDatabase(server, config, tag, signal);
  // The folder a restore moves aside must resolve inside the server's allowed folders, links followed.
  const folder = includeFiles ? await server.resolveFolder(filestoreFolder(config), "replace") : filestoreFolder(config);
  if (targetIsNew) {
    await database.assertTargetAbsent();
    if (includeFiles && (await folderExists(server, folder))) {
      throw new Error(`The filestore folder ${folder} already exists on the server: a restore into a new environment never replaces existing files; choose another database name or data folder`);
    }
  }
  const files = new StagedFolder(server, folder, tag, signal, log, FILESTORE);
  return {
    loadDatabase: (content) => database.load(content),
    loadFiles: (content) => files.load(content),
    prepare: (options) => prepareCopy(database, options),
    swap: () => swapIn(database, files),
    async discard() {
      const results = await Promise.allSettled([database.discard(), files.discard()]);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) throw failed.reason;
    },
  };
}
