import type { Db } from "@/server/db";
import type { ManagedServer } from "@/server/plugins/contracts";
import type { PluginHost } from "@/server/plugins/host";
import { loadBackupJob } from "@/server/backups/load-backup-job";
import { storeBackupRun } from "@/server/backups/store-backup";
import { Run } from "@/server/jobs/run-lifecycle";
import { processLogger } from "@/server/plugins/call-context";
import { openSourceSession } from "@/server/servers/connect-server";
import { environmentSourceConfig } from "@/server/services/plugin-config";
import type { Readable } from "node:stream";

/**
 * Imports a file as a backup of type `imported`: the environment's source reads it as it arrives
 * (`importArchive`) and its artifacts go through the backup pipeline (gzip, encryption per policy, sha256,
 * signed manifest, read-back verification). A failure removes what was stored and says why in one line.
 */
/** Opens the file to import; `server` connects to the environment's server (under its rules) when the file is there. */
export type ImportFileOpener = (server: () => Promise<ManagedServer>, signal: AbortSignal) => Promise<{ fileName: string; stream: Readable }>;

export async function runImport(db: Db, plugins: PluginHost, backupId: string, openFile: ImportFileOpener, shutdown: AbortSignal): Promise<void> {
  const job = await loadBackupJob(db, backupId);
  if (!job) return;
  const run = await Run.claim(db, "backup", backupId, shutdown, {
    shutdown: "The worker was shut down during the import; import the file again",
    stopped: "The import was stopped: it was deleted or marked failed while running",
  });
  if (!run) return;
  let server: ManagedServer | undefined;
  const session = async () => {
    if (!server) server = (await openSourceSession(plugins, job.environment.source, environmentSourceConfig(job.environment), job.server)).server;
    return server;
  };
  await storeBackupRun(
    db,
    plugins,
    job,
    run,
    {
      startPhase: "opening the file",
      phase: (kind) => (kind === "database" ? "importing the database" : "importing the filestore"),
      async open() {
        const file = await openFile(session, run.signal);
        await run.log(`Reading ${file.fileName}`);
        return await (await plugins.source(job.environment.source)).importArchive({
          fileName: file.fileName,
          input: file.stream,
          config: environmentSourceConfig(job.environment),
          signal: run.signal,
          log: run.pluginLogger(processLogger(`import ${job.backup.id}`)),
        });
      },
      close: async () => await server?.close(),
    },
    { complete: "backup.import", fail: "backup.import_fail" },
  );
}
