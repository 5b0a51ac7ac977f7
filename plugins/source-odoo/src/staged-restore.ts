import type { PreviousCopy, RestorePrepareOptions, RestorePrepareReport, SourceRestoreContext, StagedInspection, StagedRestore } from "@safehold/plugin-api";
import { restoreTag, StagedDatabase } from "@safehold/postgres-tools";
import { folderExists, folderStats, mustRun, StagedFolder } from "@safehold/plugin-helpers";
import type { PluginLogger, ServerConnection } from "@safehold/plugin-api";
import { filestoreFolder, odooConfig } from "./config";
import { ERASURE_TABLES, eraseSubjects } from "./erasure";
import { FILESTORE } from "./filestore";
import { regenerateIdentity } from "./identity";
import { NEUTRALIZE_TABLES, neutralize } from "./neutralize";
import { OdooSchema } from "./schema";

/** Odoo's own names for filestore files (`xx/<sha1>`): nothing else is ever removed from the extracted folder. */
const FILESTORE_NAME = /^[0-9a-f]{2}\/[0-9a-f]{40}$/;
const REMOVE_BATCH = 200;

/** Takes the files only erased attachments used out of the extracted filestore. */
async function removeErasedFiles(server: ServerConnection, folder: string, names: string[], signal: AbortSignal, log: PluginLogger): Promise<void> {
  const odd = names.filter((n) => !FILESTORE_NAME.test(n));
  if (odd.length > 0) log.warn(`${odd.length} erased attachment(s) name a file outside Odoo's filestore layout; those files were left in place`);
  const paths = names.filter((n) => FILESTORE_NAME.test(n)).map((n) => `${folder}/${n}`);
  for (let i = 0; i < paths.length; i += REMOVE_BATCH) {
    await mustRun(server, "Removing the erased attachments' files", "rm", ["-f", "--", ...paths.slice(i, i + REMOVE_BATCH)], signal);
  }
}

type CopyFiles = { server: ServerConnection; folder: StagedFolder; loaded: () => boolean; signal: AbortSignal; log: PluginLogger };

/** Identity, neutralization and erasure, in one transaction on the fresh copy; then the erased files leave its filestore. */
async function prepareCopy(database: StagedDatabase, files: CopyFiles, options: RestorePrepareOptions): Promise<RestorePrepareReport> {
  const sql = database.connect();
  try {
    const { report, erasedFiles } = await sql.begin(async (tx) => {
      const schema = await OdooSchema.read(tx, [...new Set([...NEUTRALIZE_TABLES, ...ERASURE_TABLES])]);
      const identityRegenerated = options.newIdentity ? await regenerateIdentity(tx, schema) : false;
      const neutralized = options.neutralize ? await neutralize(tx, schema) : [];
      const erased = await eraseSubjects(tx, schema, options.erasedSubjects);
      return { report: { identityRegenerated, neutralized, erasedRecords: erased.records }, erasedFiles: erased.files };
    });
    if (files.loaded()) await removeErasedFiles(files.server, files.folder.staging, erasedFiles, files.signal, files.log);
    return report;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** Odoo's own signs of a usable copy: the `base` module installed and at least one active user. */
async function odooChecks(database: StagedDatabase): Promise<NonNullable<StagedInspection["application"]>> {
  const sql = database.connect();
  try {
    const [base] = await sql<{ state: string }[]>`select state from ir_module_module where name = 'base'`;
    const [users] = await sql<{ n: string }[]>`select count(*)::text as n from res_users where active`;
    const active = Number(users?.n ?? 0);
    return [
      { check: "base module installed", ok: base?.state === "installed", detail: base ? `base is ${base.state}` : "no base module in ir_module_module" },
      { check: "users present", ok: active > 0, detail: `${active} active user${active === 1 ? "" : "s"}` },
    ];
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** What the staged copy holds: rows per table, the files extracted (when they were), Odoo's own checks. */
async function inspectCopy(database: StagedDatabase, files: StagedFolder, server: ServerConnection, filesLoaded: boolean, signal: AbortSignal): Promise<StagedInspection> {
  const tables = await database.rowCounts();
  const application = await odooChecks(database);
  if (!filesLoaded) return { tables, application };
  return { tables, application, files: await folderStats(server, files.staging, signal, FILESTORE) };
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
  let filesLoaded = false;
  return {
    compressedInput: async (kind) => (kind === "database" ? database.compressedInput() : null),
    loadDatabase: (content) => database.load(content),
    loadFiles: async (content) => {
      await files.load(content);
      filesLoaded = true;
    },
    inspect: () => inspectCopy(database, files, server, filesLoaded, signal),
    prepare: (options) => prepareCopy(database, { server, folder: files, loaded: () => filesLoaded, signal, log }, options),
    swap: () => swapIn(database, files),
    async discard() {
      const results = await Promise.allSettled([database.discard(), files.discard()]);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) throw failed.reason;
    },
  };
}
