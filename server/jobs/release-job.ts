import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";

/**
 * Removes the job with this key and releases the locks its dead worker held, so the environment's queue moves
 * on at once instead of after graphile-worker's four-hour lock timeout.
 */
export async function releaseDeadJob(tx: DbOrTx, key: string): Promise<void> {
  const locks = await tx.execute<{ locked_by: string }>(sql`select locked_by from graphile_worker.jobs where key = ${key} and locked_by is not null`);
  const workers = [...new Set(locks.map((r) => r.locked_by))];
  if (workers.length) {
    await tx.execute(sql`select graphile_worker.force_unlock_workers(array[${sql.join(workers.map((w) => sql`${w}`), sql`, `)}]::text[])`);
  }
  await tx.execute(sql`select graphile_worker.remove_job(${key}::text)`);
}
