import path from "node:path";
import { deriveKey } from "@/server/crypto/secret-key";
import { closeDb, getDb } from "@/server/db";
import { upgradeUnboundSecrets } from "@/server/db/reseal-secrets";
import { readEnv } from "@/server/env";
import { releaseWorkerUtils } from "@/server/jobs/worker-utils";
import { build, buildNeeded } from "@/server/runtime/build";
import { secureDataDir } from "@/server/runtime/data-dir";
import { migrateAll, openDatabase } from "@/server/runtime/database";
import { onShutdown, runUntilShutdown } from "@/server/runtime/shutdown";
import { supervise } from "@/server/runtime/supervisor";
import { countUsers } from "@/server/services/users";
import { PROJECT_ROOT, VERSION } from "../project-root";

const log = (line: string) => console.log(`[safehold] ${line}`);

/**
 * `safehold start`: builds if needed, opens (or starts) the database and migrates it, then runs the web console
 * and a worker as two supervised processes (restarted if they stop unexpectedly).
 */
export async function startCommand(): Promise<void> {
  const settings = readEnv();
  log(`Safehold ${VERSION}`);
  secureDataDir(settings.dataDir, log);
  const reason = buildNeeded(PROJECT_ROOT);
  if (reason) {
    log(`Building the console (${reason}); this takes a minute the first time...`);
    await build(PROJECT_ROOT);
  }
  const database = await openDatabase(settings, log);
  log(database.embedded ? `Embedded PostgreSQL in ${settings.dataDir}/postgres` : "Using the PostgreSQL at DATABASE_URL");
  await migrateAll(database.url);
  deriveKey("auth");
  await upgradeUnboundSecrets(getDb(), log);
  const needsSetup = (await countUsers(getDb())) === 0;

  const children = supervise(["web", "worker"], {
    cli: path.join(PROJECT_ROOT, "bin/safehold.mjs"),
    env: { ...process.env, DATABASE_URL: database.url, NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? settings.publicUrl },
    log,
  });
  const stopAll = async () => {
    await children.stop();
    await releaseWorkerUtils();
    await closeDb();
    await database.stop();
  };
  onShutdown(async (signal) => {
    log(`${signal}: shutting down`);
    await stopAll();
  });
  try {
    await children.ready;
  } catch (err) {
    await stopAll();
    throw err;
  }
  log(`Console ready at ${settings.publicUrl}`);
  if (needsSetup) {
    log(`First run: open ${settings.publicUrl}/setup to create the owner account,`);
    log(`or run: npx safehold user create --email you@example.com --org "Your agency" (it asks for the password)`);
  }
  return runUntilShutdown();
}
