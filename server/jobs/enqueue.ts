import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import type { TaskPayloads } from "./tasks/payloads";

/**
 * Queues a job in the same transaction as the rows it is about (graphile-worker's add_job in SQL), so a job
 * never exists without its backup row, nor a backup row without its job.
 */
export async function enqueueJob<T extends keyof TaskPayloads>(
  db: DbOrTx,
  task: T,
  payload: TaskPayloads[T],
  options: { queueName?: string; jobKey?: string; maxAttempts?: number; runAt?: Date } = {},
): Promise<void> {
  await db.execute(sql`select graphile_worker.add_job(
    identifier => ${task}::text,
    payload => ${JSON.stringify(payload)}::json,
    queue_name => ${options.queueName ?? null}::text,
    run_at => ${options.runAt?.toISOString() ?? null}::timestamptz,
    max_attempts => ${options.maxAttempts ?? null}::int,
    job_key => ${options.jobKey ?? null}::text
  )`);
}

/** Removes a job that has not started (a locked, running job is left alone). */
export async function removeJob(db: DbOrTx, jobKey: string): Promise<void> {
  await db.execute(sql`select graphile_worker.remove_job(${jobKey}::text)`);
}

/** One queue per environment: its backups and restores run strictly one after the other. */
export function environmentQueue(environmentId: string): string {
  return `environment:${environmentId}`;
}

/** Queues many jobs of one task in one statement (graphile-worker's add_jobs), e.g. a scheduler tick's backups. */
export async function enqueueJobs<T extends keyof TaskPayloads>(
  db: DbOrTx,
  task: T,
  jobs: { payload: TaskPayloads[T]; queueName?: string; jobKey?: string; maxAttempts?: number }[],
): Promise<void> {
  if (jobs.length === 0) return;
  await db.execute(sql`select count(*) from graphile_worker.add_jobs(array(
    select (${task}::text, j->'payload', j->>'queueName', null, (j->>'maxAttempts')::int, j->>'jobKey', null, null)::graphile_worker.job_spec
    from json_array_elements(${JSON.stringify(jobs)}::json) as j
  ))`);
}
