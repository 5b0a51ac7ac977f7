import type { PreviousCopy, SourceContext, SourceRestoreContext, StagedRestore } from "@safehold/plugin-api";
import { folderExists, removeFolder, StagedFolder } from "@safehold/plugin-helpers";
import { quoteIdentifier, runSql, findClient } from "./client";
import { mysqlConfig, uploadsFolder } from "./config";
import { isMovedAsideDatabase, restoreTag } from "./names";
import { StagedDatabase } from "./staged-database";
import { requireTools } from "./tools";
import { UPLOADS } from "./uploads";

function describeCopy(database: string | null, folder: string | null): string {
  return [database && `database "${database}"`, folder && `uploads folder "${folder}"`].filter(Boolean).join(" and ");
}

/** A MySQL/MariaDB restore: the database (and the uploads folder) loaded beside the target, then swapped into place. */
export async function restoreMysql({ config: raw, server, restoreId, includeFiles, targetIsNew, signal, log }: SourceRestoreContext): Promise<StagedRestore> {
  const config = mysqlConfig(raw);
  const tag = restoreTag(restoreId);
  const tools = await requireTools(server);
  const database = new StagedDatabase(server, tools, config, tag, signal, log);
  const configured = uploadsFolder(config);
  if (includeFiles && !configured) throw new Error("This backup has an uploads archive, but the environment has no uploads folder set: set one to restore the files");
  // The folder a restore moves aside must resolve inside the server's allowed folders, links followed.
  const folder = includeFiles ? await server.resolveFolder(configured, "replace") : configured;
  if (targetIsNew) {
    await database.assertTargetAbsent();
    if (includeFiles && (await folderExists(server, folder))) {
      throw new Error(`The uploads folder ${folder} already exists on the server: a restore into a new environment never replaces existing files; choose another folder`);
    }
  }
  const files = includeFiles ? new StagedFolder(server, folder, tag, signal, log, UPLOADS) : null;
  return {
    compressedInput: async (kind) => (kind === "database" ? database.compressedInput() : null),
    loadDatabase: (content) => database.load(content),
    async loadFiles(content) {
      if (!files) throw new Error("This restore does not include files");
      await files.load(content);
    },
    async prepare({ erasedSubjects }) {
      // Handing back a copy in which erased people reappear is worse than no copy at all.
      if (erasedSubjects.length > 0) {
        throw new Error(
          "Erasure rules cannot be applied to a plain MySQL/MariaDB database: Safehold does not know which tables hold personal data, so it will not hand back a copy in which erased people reappear",
        );
      }
      // Nothing to neutralize or re-identify in a database Safehold knows nothing about.
      return { identityRegenerated: false, neutralized: [], erasedRecords: 0 };
    },
    async swap() {
      // Files first, then the database; the database failing puts the files back.
      const moved = files ? await files.swapIn() : { aside: null, undo: async () => {} };
      let db;
      try {
        db = await database.swapIn();
      } catch (err) {
        try {
          await moved.undo();
        } catch (undoErr) {
          throw new Error(`${(err as Error).message}; putting the uploads folder back failed too: ${(undoErr as Error).message}`);
        }
        throw err;
      }
      if (!db.aside && !moved.aside) return null;
      return { description: describeCopy(db.aside, moved.aside), ...(db.aside ? { database: db.aside } : {}), ...(moved.aside ? { uploadsPath: moved.aside } : {}) };
    },
    async discard() {
      const results = await Promise.allSettled([database.discard(), files?.discard()]);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) throw failed.reason;
    },
  };
}

/** Drops what a restore moved aside; refuses any database or folder that is not such a copy of this environment's. */
export async function discardMovedAside({ config: raw, server }: SourceContext, copy: PreviousCopy): Promise<void> {
  const config = mysqlConfig(raw);
  const name = copy.database;
  const folder = copy.uploadsPath;
  if (name !== undefined && name !== null && (typeof name !== "string" || !isMovedAsideDatabase(config.database, name))) {
    throw new Error(`Refusing to drop database "${String(name)}": it is not a copy of "${config.database}" that a restore moved aside`);
  }
  if (folder !== undefined && folder !== null) {
    const target = await server.resolveFolder(uploadsFolder(config), "replace");
    if (typeof folder !== "string" || !folder.startsWith(`${target}.before-`) || !/^[a-z0-9]{8}$/.test(folder.slice(`${target}.before-`.length))) {
      throw new Error(`Refusing to remove folder "${String(folder)}": it is not an uploads folder that a restore of ${target} moved aside`);
    }
  }
  if (typeof name === "string") {
    server.checkDatabase(name);
    await runSql(server, await findClient(server), config, null, `DROP DATABASE IF EXISTS ${quoteIdentifier(name)}`);
  }
  if (typeof folder === "string") await removeFolder(server, folder);
}
