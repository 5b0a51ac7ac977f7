import { closeDb } from "@/server/db";
import { readEnv } from "@/server/env";
import { releaseWorkerUtils } from "@/server/jobs/worker-utils";
import { startWorker } from "@/server/jobs/worker";
import { migrateAll, openDatabase } from "@/server/runtime/database";
import { disposePluginHost } from "@/server/plugins/host-registry";
import { isSupervised, onShutdown, reportReady, runUntilShutdown } from "@/server/runtime/shutdown";

/** `safehold worker`: a worker alone, for scale-out; any number can run against one database. `start` runs one too. */
export async function workerCommand(): Promise<void> {
  const settings = readEnv();
  const database = await openDatabase(settings, (line) => console.log(`[safehold] ${line}`));
  // Under `safehold start` the supervisor has migrated already.
  if (!isSupervised()) await migrateAll(database.url);
  const worker = await startWorker({ connectionString: database.url, concurrency: settings.workerConcurrency });
  console.log(`[safehold] Worker running (concurrency ${settings.workerConcurrency})`);
  reportReady();
  onShutdown(async () => {
    await worker.stop();
    await disposePluginHost();
    await releaseWorkerUtils();
    await closeDb();
    await database.stop();
  });
  return runUntilShutdown(worker);
}
