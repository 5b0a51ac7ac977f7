import type { Db } from "@/server/db";
import type { ManagedServer } from "@/server/plugins/contracts";
import type { PluginHost } from "@/server/plugins/host";
import { RunFailure } from "@/server/jobs/run-failure";
import { Run } from "@/server/jobs/run-lifecycle";
import { openSourceSession } from "@/server/servers/connect-server";
import { environmentSourceConfig } from "@/server/services/plugin-config";
import { processLogger } from "@/server/plugins/call-context";
import { effectivePolicyFor } from "@/server/services/backup-policies";
import { loadBackupJob } from "./load-backup-job";
import { storeBackupRun } from "./store-backup";

/**
 * Runs one backup: the environment's source streams its artifacts through the backup pipeline (gzip, sha256,
 * storage, signed manifest, read-back verification; see store-backup.ts). It takes one of its server's slots,
 * unless it is a step of another operation that waits for it (`insideOperation`: a restore's safety backup, which
 * runs in the restore's slot, or a destroy's final backup): such a backup never waits in line.
 */
export async function runBackup(db: Db, plugins: PluginHost, backupId: string, shutdown: AbortSignal, options: { insideOperation?: boolean } = {}): Promise<void> {
  const job = await loadBackupJob(db, backupId);
  if (!job) return;
  const run = await Run.claim(db, "backup", backupId, shutdown, {
    shutdown: "The worker was shut down during the backup; run it again",
    stopped: "The backup was stopped: it was deleted or marked failed while running",
  }, { environmentId: job.environment.id, serverId: options.insideOperation ? null : job.server.id });
  if (!run) return;
  let server: ManagedServer | undefined;
  await storeBackupRun(
    db,
    plugins,
    job,
    run,
    {
      startPhase: "connecting to the source",
      phase: (kind) => (kind === "database" ? "dumping the database" : "archiving the filestore"),
      async open() {
        // A backup queued before its environment was destroyed finds no data left to take.
        if (job.environment.archivedAt) throw new RunFailure("precondition", "The environment was destroyed and archived: it is not backed up any more");
        // Each filestore file stored once, shared between backups, unless the policy keeps full archives.
        const { filestoreLayout } = await effectivePolicyFor(db, job.backup.orgId, job.environment.id);
        const session = await openSourceSession(plugins, job.environment.source, environmentSourceConfig(job.environment), job.server);
        server = session.server;
        return await session.source.backup({
          config: environmentSourceConfig(job.environment),
          server,
          includeFilestore: job.backup.includeFilestore,
          fileLayout: filestoreLayout ?? "objects",
          signal: run.signal,
          log: run.pluginLogger(processLogger(`backup ${job.backup.id}`)),
        });
      },
      close: async () => await server?.close(),
    },
    { complete: "backup.complete", fail: "backup.fail" },
  );
}
