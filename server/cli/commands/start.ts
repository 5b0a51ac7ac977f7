import { deriveKey } from "@/server/crypto/secret-key";
import { closeDb, getDb } from "@/server/db";
import { upgradeUnboundSecrets } from "@/server/db/reseal-secrets";
import { readEnv } from "@/server/env";
import { releaseWorkerUtils } from "@/server/jobs/worker-utils";
import { startWorker } from "@/server/jobs/worker";
import { build, buildNeeded } from "@/server/runtime/build";
import { secureDataDir } from "@/server/runtime/data-dir";
import { migrateAll, openDatabase } from "@/server/runtime/database";
import { disposePluginHost } from "@/server/plugins/host";
import { onShutdown, runUntilShutdown } from "@/server/runtime/shutdown";
import { startWeb } from "@/server/runtime/web";
import { countUsers } from "@/server/services/users";
import { PROJECT_ROOT, VERSION } from "../project-root";

const log = (line: string) => console.log(`[safehold] ${line}`);

/** `safehold start`: builds if needed, opens (or starts) the database, migrates, then runs the web console and a worker. */
export async function startCommand(): Promise<void> {
  const config = readEnv();
  log(`Safehold ${VERSION}`);
  secureDataDir(config.dataDir, log);
  const reason = buildNeeded(PROJECT_ROOT);
  if (reason) {
    log(`Building the console (${reason}); this takes a minute the first time...`);
    await build(PROJECT_ROOT);
  }
  const database = await openDatabase(config, log);
  log(database.embedded ? `Embedded PostgreSQL in ${config.dataDir}/postgres` : "Using the PostgreSQL at DATABASE_URL");
  await migrateAll(database.url);
  deriveKey("auth");
  await upgradeUnboundSecrets(getDb(), log);
  process.env.NEXTAUTH_URL ??= config.publicUrl;

  const web = await startWeb({ root: PROJECT_ROOT, host: config.host, port: config.port });
  const worker = await startWorker({ connectionString: database.url, concurrency: config.workerConcurrency });

  const needsSetup = (await countUsers(getDb())) === 0;
  log(`Console ready at ${config.publicUrl}`);
  if (needsSetup) {
    log(`First run: open ${config.publicUrl}/setup to create the owner account,`);
    log(`or run: npx safehold user create --email you@example.com --org "Your agency" (it asks for the password)`);
  }

  onShutdown(async (signal) => {
    log(`${signal}: shutting down`);
    await web.close();
    await worker.stop();
    await disposePluginHost();
    await releaseWorkerUtils();
    await closeDb();
    await database.stop();
  });
  return runUntilShutdown(worker);
}
