import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";

/**
 * Removes the job with this key, whose worker process is known to be gone, and unlocks its own queue (the
 * environment's) if that job still holds it, so the queue moves on at once instead of after graphile-worker's
 * four-hour lock timeout. Nothing else is touched: other jobs of the same worker, and other queues, keep their
 * locks. This is what graphile-worker does when a job completes (`_private_jobs` / `_private_job_queues`,
 * graphile-worker 0.17).
 */
export async function releaseDeadJob(tx: DbOrTx, key: string): Promise<void> {
  await tx.execute(sql`
    with job as (
      delete from graphile_worker._private_jobs where key = ${key}::text returning job_queue_id, locked_by
    )
    update graphile_worker._private_job_queues as queues
    set locked_by = null, locked_at = null
    from job
    where queues.id = job.job_queue_id and queues.locked_by = job.locked_by`);
}
