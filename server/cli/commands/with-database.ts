import { closeDb, getDb, type Db } from "@/server/db";
import { readEnv } from "@/server/env";
import { releaseWorkerUtils } from "@/server/jobs/worker-utils";
import { migrateAll, openDatabase } from "@/server/runtime/database";

/** Runs a one-off command against Safehold's database (the embedded one is joined or started), migrated first. */
export async function withDatabase<T>(run: (db: Db) => Promise<T>): Promise<T> {
  const database = await openDatabase(readEnv(), () => {});
  try {
    await migrateAll(database.url);
    return await run(getDb());
  } finally {
    await releaseWorkerUtils();
    await closeDb();
    await database.stop();
  }
}
