import { closeDb } from "@/server/db";
import { readEnv } from "@/server/env";
import { releaseWorkerUtils } from "@/server/jobs/worker-utils";
import { startWorker } from "@/server/jobs/worker";
import { migrateAll, openDatabase } from "@/server/runtime/database";
import { disposePluginHost } from "@/server/plugins/host";
import { onShutdown, runUntilShutdown } from "@/server/runtime/shutdown";

/** `safehold worker`: a worker alone, for scale-out; any number can run against one database. */
export async function workerCommand(): Promise<void> {
  const config = readEnv();
  const database = await openDatabase(config, (line) => console.log(`[safehold] ${line}`));
  await migrateAll(database.url);
  const worker = await startWorker({ connectionString: database.url, concurrency: config.workerConcurrency });
  console.log(`[safehold] Worker running (concurrency ${config.workerConcurrency})`);
  onShutdown(async () => {
    await worker.stop();
    await disposePluginHost();
    await releaseWorkerUtils();
    await closeDb();
    await database.stop();
  });
  return runUntilShutdown(worker);
}
