import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";

/** The phase a run shows while its server is at its limit of concurrent operations (server/servers/operation-slots.ts). */
const WAITING_FOR_SERVER = "waiting for server capacity%";

/** Backups and restores of the organization, counted by status (the org/status index, index-only). */
export async function runsByStatus(db: DbOrTx, orgId: string) {
  return db.execute<{ kind: "backup" | "restore"; status: string; count: number }>(sql`
    select 'backup' as kind, status::text, count(*)::int as count from backups where org_id = ${orgId} group by status
    union all
    select 'restore' as kind, status::text, count(*)::int as count from restores where org_id = ${orgId} group by status`);
}

/** Durations of the backups and restores that completed since `since`: median, 90th percentile and longest. */
export async function runDurations(db: DbOrTx, orgId: string, since: Date) {
  return db.execute<{ kind: "backup" | "restore"; p50: number | null; p90: number | null; max: number | null; count: number }>(sql`
    select kind, percentile_cont(0.5) within group (order by seconds) as p50, percentile_cont(0.9) within group (order by seconds) as p90,
      max(seconds) as max, count(*)::int as count
    from (
      select 'backup' as kind, extract(epoch from b.finished_at - b.started_at)::float8 as seconds from backups b
      where b.org_id = ${orgId} and b.status = 'completed' and b.finished_at >= ${since.toISOString()}::timestamptz and b.started_at is not null
      union all
      select 'restore', extract(epoch from r.finished_at - r.started_at)::float8 from restores r
      where r.org_id = ${orgId} and r.status = 'completed' and r.finished_at >= ${since.toISOString()}::timestamptz and r.started_at is not null
    ) finished
    group by kind`);
}

/** Bytes of the backups that completed since `since` (what a night's run wrote). */
export async function backupBytesSince(db: DbOrTx, orgId: string, since: Date): Promise<number> {
  const [row] = await db.execute<{ bytes: string }>(sql`
    select coalesce(sum(size_bytes), 0)::text as bytes from backups
    where org_id = ${orgId} and status = 'completed' and finished_at >= ${since.toISOString()}::timestamptz`);
  return Number(row?.bytes ?? 0);
}

/**
 * graphile-worker's jobs by task: waiting (due, not taken), running, scheduled for later, and given up (every
 * attempt failed), with how long the oldest due job has waited. Jobs belong to the console, not to an
 * organization: these are console-wide.
 */
export async function jobQueue(db: DbOrTx) {
  return db.execute<{ task: string; waiting: number; running: number; scheduled: number; failed: number; oldest_waiting_seconds: number | null }>(sql`
    select task_identifier as task,
      count(*) filter (where locked_at is null and attempts < max_attempts and run_at <= now())::int as waiting,
      count(*) filter (where locked_at is not null)::int as running,
      count(*) filter (where locked_at is null and attempts < max_attempts and run_at > now())::int as scheduled,
      count(*) filter (where locked_at is null and attempts >= max_attempts)::int as failed,
      extract(epoch from now() - min(run_at) filter (where locked_at is null and attempts < max_attempts and run_at <= now()))::float8 as oldest_waiting_seconds
    from graphile_worker.jobs
    group by task_identifier`);
}

/** Every server of the organization with how many of its runs wait for a free slot (phase "waiting for server capacity"). */
export async function serverWaits(db: DbOrTx, orgId: string) {
  return db.execute<{ server: string; waiting: number }>(sql`
    select s.name as server, count(w.server_id)::int as waiting
    from servers s
    left join (
      select e.server_id from backups b join environments e on e.id = b.environment_id
      where b.org_id = ${orgId} and b.status = 'pending' and b.progress->>'phase' ilike ${WAITING_FOR_SERVER}
      union all
      select e.server_id from restores r join environments e on e.id = r.target_environment_id
      where r.org_id = ${orgId} and r.status = 'pending' and r.progress->>'phase' ilike ${WAITING_FOR_SERVER}
      union all
      select coalesce(d.server_id, e.server_id) from restore_drills d join environments e on e.id = d.environment_id
      where d.org_id = ${orgId} and d.status = 'pending' and d.progress->>'phase' ilike ${WAITING_FOR_SERVER}
    ) w on w.server_id = s.id
    where s.org_id = ${orgId}
    group by s.name`);
}

/** Seconds since each environment's newest successful backup (environments with none are left out). */
export async function lastSuccessAges(db: DbOrTx, orgId: string, now: Date) {
  return db.execute<{ project: string; environment: string; seconds: number }>(sql`
    select p.name as project, e.name as environment, extract(epoch from ${now.toISOString()}::timestamptz - l.last_success_at)::float8 as seconds
    from environments e
    join projects p on p.id = e.project_id
    join environment_last_runs l on l.environment_id = e.id
    where e.org_id = ${orgId} and e.archived_at is null and l.last_success_at is not null`);
}
