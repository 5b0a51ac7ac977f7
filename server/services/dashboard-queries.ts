import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import type { FailureKind } from "@/shared/enum-values";
import type { LastRun } from "@/server/policies/compliance";
import { locationFilestoreUsage } from "./filestore-usage";

const DAY_MS = 24 * 60 * 60 * 1000;

export type EnvironmentRuns = { lastSuccessAt: Date | null; lastRun: (LastRun & { finishedAt: Date | null }) | null };

const toDate = (value: string | Date | null) => (value === null ? null : new Date(value));

/**
 * For every environment of the organization: its newest finished run (completed or failed) and when its newest
 * completed backup finished, from environment_last_runs, which triggers on backups keep current (migration 0006).
 */
export async function environmentRuns(db: DbOrTx, orgId: string): Promise<Map<string, EnvironmentRuns>> {
  const rows = await db.execute<{ environment_id: string; last_success_at: string | null; last_status: "completed" | "failed" | null; last_run_at: string | null; last_failure_kind: FailureKind | null }>(sql`
    select e.id as environment_id, l.last_success_at, l.last_run_status as last_status, l.last_run_at, l.last_run_failure_kind as last_failure_kind
    from environments e
    left join environment_last_runs l on l.environment_id = e.id
    where e.org_id = ${orgId}`);
  return new Map(
    rows.map((r) => [
      r.environment_id,
      { lastSuccessAt: toDate(r.last_success_at), lastRun: r.last_status ? { status: r.last_status, failureKind: r.last_failure_kind, finishedAt: toDate(r.last_run_at) } : null },
    ]),
  );
}

/**
 * Every storage location of the organization with what its completed backups take there, their verified second
 * copies included. An index-only scan of backups_completed_storage_idx (partial on completed backups, which
 * retention keeps few of per environment), and the copies of those backups; plus the filestore objects they
 * reference there, each counted once, and what sharing them saved.
 */
export async function storageUsage(db: DbOrTx, orgId: string) {
  const filestores = locationFilestoreUsage(sql`sl.id`);
  const rows = await db.execute<{ id: string; name: string; provider: string; used_bytes: string; saved_bytes: string; backups: number }>(sql`
    select sl.id, sl.name, sl.provider, (coalesce(u.used_bytes, 0) + ${filestores.storedBytes})::text as used_bytes,
      ${filestores.savedBytes}::text as saved_bytes, coalesce(u.backups, 0)::int as backups
    from storage_locations sl
    left join (
      select kept.storage_location_id, sum(kept.size_bytes) as used_bytes, count(*) as backups
      from (
        select b.storage_location_id, b.size_bytes
        from backups b
        where b.org_id = ${orgId} and b.status = 'completed'
        union all
        select c.storage_location_id, c.size_bytes
        from backup_copies c
        join backups b on b.id = c.backup_id
        where b.org_id = ${orgId} and b.status = 'completed' and c.status = 'completed'
      ) kept
      group by kept.storage_location_id
    ) u on u.storage_location_id = sl.id
    where sl.org_id = ${orgId}
    order by sl.name`);
  return rows.map((r) => ({ storageLocationId: r.id, name: r.name, provider: r.provider, usedBytes: Number(r.used_bytes), dedupSavedBytes: Number(r.saved_bytes), backups: r.backups }));
}

/** The first instant (UTC midnight) of the 30-day chart ending today. */
export function chartStart(now: Date, days: number): Date {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(today - (days - 1) * DAY_MS);
}

/**
 * Backups finished per UTC day over the last `days` days, zero-filled: completed (including those retention
 * has since expired: they completed that day) and failed. Reads backups_org_finished_idx, index-only.
 */
export async function dailyRuns(db: DbOrTx, orgId: string, now: Date, days: number) {
  const start = chartStart(now, days);
  const rows = await db.execute<{ day: string; completed: number; failed: number }>(sql`
    select to_char(day, 'YYYY-MM-DD') as day, completed, failed from (
      select (b.finished_at at time zone 'UTC')::date as day,
        count(*) filter (where b.status in ('completed', 'expired'))::int as completed,
        count(*) filter (where b.status = 'failed')::int as failed
      from backups b
      where b.org_id = ${orgId} and b.finished_at >= ${start.toISOString()}::timestamptz and b.finished_at <= ${now.toISOString()}::timestamptz
        and b.status in ('completed', 'failed', 'expired')
      group by 1
    ) per_day`);
  const byDay = new Map(rows.map((r) => [r.day, r]));
  return Array.from({ length: days }, (_, i) => {
    const day = new Date(start.getTime() + i * DAY_MS).toISOString().slice(0, 10);
    const row = byDay.get(day);
    return { day, completed: row?.completed ?? 0, failed: row?.failed ?? 0 };
  });
}

/** Backups and restores of the organization that failed since `since`. */
export async function failuresSince(db: DbOrTx, orgId: string, since: Date): Promise<number> {
  const [row] = await db.execute<{ n: number }>(sql`
    select (
      (select count(*) from backups b where b.org_id = ${orgId} and b.status = 'failed' and b.finished_at > ${since.toISOString()}::timestamptz)
      + (select count(*) from restores r where r.org_id = ${orgId} and r.status = 'failed' and r.finished_at > ${since.toISOString()}::timestamptz)
    )::int as n`);
  return row?.n ?? 0;
}

/** Second copies shown on the dashboard at most; the total says how many more there are. */
const FAILED_COPIES_SHOWN = 20;

/**
 * Failed second copies of the organization's completed backups, newest failure first (the partial index
 * backup_copies_failed_idx holds only failed copies), with how many there are in all.
 */
export async function failedCopies(db: DbOrTx, orgId: string) {
  const rows = await db.execute<{ backup_id: string; storage_location_id: string; location_name: string; error: string | null; attempts: number; failed_at: string; environment_id: string; environment_name: string; project_id: string; project_name: string; total: number }>(sql`
    select c.backup_id, c.storage_location_id, sl.name as location_name, c.error, c.attempts, c.updated_at as failed_at,
      e.id as environment_id, e.name as environment_name, p.id as project_id, p.name as project_name, count(*) over ()::int as total
    from backup_copies c
    join backups b on b.id = c.backup_id and b.status = 'completed'
    join storage_locations sl on sl.id = c.storage_location_id
    join environments e on e.id = b.environment_id
    join projects p on p.id = b.project_id
    where c.status = 'failed' and b.org_id = ${orgId}
    order by c.updated_at desc
    limit ${FAILED_COPIES_SHOWN}`);
  return {
    total: rows[0]?.total ?? 0,
    items: rows.map((r) => ({
      backupId: r.backup_id,
      storageLocationId: r.storage_location_id,
      locationName: r.location_name,
      environmentId: r.environment_id,
      environmentName: r.environment_name,
      projectId: r.project_id,
      projectName: r.project_name,
      attempts: r.attempts,
      error: r.error,
      reason: `Second copy failed: ${r.location_name}: ${r.error ?? "unknown error"}`,
      failedAt: new Date(r.failed_at).toISOString(),
    })),
  };
}

export type LatestDrill = { status: "completed" | "failed"; finishedAt: Date; error: string | null };

/** Every environment's newest finished restore drill (passed or failed), from the (environment, created_at) index. */
export async function latestDrills(db: DbOrTx, orgId: string): Promise<Map<string, LatestDrill>> {
  const rows = await db.execute<{ environment_id: string; status: "completed" | "failed"; finished_at: string; error: string | null }>(sql`
    select distinct on (d.environment_id) d.environment_id, d.status, d.finished_at, d.error
    from restore_drills d
    where d.org_id = ${orgId} and d.status in ('completed', 'failed') and d.finished_at is not null
    order by d.environment_id, d.finished_at desc`);
  return new Map(rows.map((r) => [r.environment_id, { status: r.status, finishedAt: new Date(r.finished_at), error: r.error }]));
}
