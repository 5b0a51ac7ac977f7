import { startEmbeddedDatabase } from "@/server/db/embedded";
import { migrateDatabase } from "@/server/db/migrate";
import { resetEnvCache, type Env } from "@/server/env";
import { getWorkerUtils } from "@/server/jobs/worker-utils";

export type DatabaseHandle = { url: string; embedded: boolean; stop: () => Promise<void> };

/**
 * DATABASE_URL when set; otherwise the embedded PostgreSQL in the data dir (started, or joined when another
 * Safehold process already runs it). Exports the URL as DATABASE_URL so every module of this process uses it.
 */
export async function openDatabase(settings: Env, log: (line: string) => void): Promise<DatabaseHandle> {
  if (settings.databaseUrl) return { url: settings.databaseUrl, embedded: false, stop: async () => {} };
  const embedded = await startEmbeddedDatabase(settings.dataDir, log);
  process.env.DATABASE_URL = embedded.url;
  resetEnvCache();
  return { url: embedded.url, embedded: true, stop: embedded.stop };
}

/** Safehold's tables (drizzle migrations) and the job queue's schema (graphile-worker). */
export async function migrateAll(url: string): Promise<void> {
  await migrateDatabase(url);
  await (await getWorkerUtils()).migrate();
}
