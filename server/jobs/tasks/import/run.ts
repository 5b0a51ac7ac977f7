import { getDb } from "@/server/db";
import { openImportFile } from "@/server/imports/import-source";
import { runImport } from "@/server/imports/run-import";
import { defineTask } from "@/server/jobs/define-task";
import { pluginHost } from "@/server/plugins/process-host";

/** One import of a file from a URL or a server path, in its environment's queue like a backup. */
export const runImportTask = defineTask("import/run", async ({ backupId, from }, helpers) => {
  await runImport(getDb(), pluginHost(), backupId, (server, signal) => openImportFile(from, server, signal), helpers.abortSignal);
});
