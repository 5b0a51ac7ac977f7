import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import type { Stage } from "@/shared/enum-values";

export type EnvironmentFacts = {
  environmentId: string;
  projectId: string;
  name: string;
  stage: Stage;
  /** What its completed backups take in their storage location (second copies not counted). */
  storedBytes: number;
  /** The newest failed backup, when the newest finished run failed: the reason to show and the log to open. */
  lastFailure: { backupId: string; error: string | null } | null;
  /** Its newest backup still queued or running. */
  activeBackup: { backupId: string; status: "pending" | "in_progress" | "uploading" } | null;
};

/**
 * For every active environment of the organization (or of one project): its name and stage, the size of its
 * completed backups, its failed newest run and its running backup. One statement: per environment an index probe
 * of its completed backups (backups_environment_completed_idx, few kept by retention) and, only where
 * environment_last_runs says the newest run failed, one of its newest backups; running backups come from one scan
 * of backups_org_status_created_idx, never the history.
 */
export async function environmentFacts(db: DbOrTx, orgId: string, projectId?: string): Promise<EnvironmentFacts[]> {
  const rows = await db.execute<{
    environment_id: string;
    project_id: string;
    name: string;
    stage: Stage;
    stored_bytes: string;
    failed_id: string | null;
    failed_error: string | null;
    active_id: string | null;
    active_status: "pending" | "in_progress" | "uploading" | null;
  }>(sql`
    with active as (
      select distinct on (b.environment_id) b.environment_id, b.id, b.status::text as status
      from backups b
      where b.org_id = ${orgId} and b.status in ('pending', 'in_progress', 'uploading')
      order by b.environment_id, b.created_at desc
    )
    select e.id as environment_id, e.project_id, e.name, e.stage, coalesce(size.bytes, 0)::text as stored_bytes,
      failed.id as failed_id, failed.error as failed_error, active.id as active_id, active.status as active_status
    from environments e
    left join environment_last_runs l on l.environment_id = e.id
    left join lateral (
      select sum(b.size_bytes) as bytes from backups b where b.environment_id = e.id and b.status = 'completed'
    ) size on true
    left join lateral (
      select b.id, b.error from backups b
      where l.last_run_status = 'failed' and b.environment_id = e.id and b.status = 'failed'
      order by b.created_at desc limit 1
    ) failed on true
    left join active on active.environment_id = e.id
    where e.org_id = ${orgId} and e.archived_at is null ${projectId ? sql`and e.project_id = ${projectId}` : sql``}`);
  return rows.map((r) => ({
    environmentId: r.environment_id,
    projectId: r.project_id,
    name: r.name,
    stage: r.stage,
    storedBytes: Number(r.stored_bytes),
    lastFailure: r.failed_id ? { backupId: r.failed_id, error: r.failed_error } : null,
    activeBackup: r.active_id && r.active_status ? { backupId: r.active_id, status: r.active_status } : null,
  }));
}

/** The organization's projects (or one, archived or not), by name: those without environments too. */
export async function fleetProjects(db: DbOrTx, orgId: string, projectId?: string) {
  const rows = await db.execute<{ id: string; name: string; description: string }>(sql`
    select p.id, p.name, p.description from projects p
    where p.org_id = ${orgId} and ${projectId ? sql`p.id = ${projectId}` : sql`p.archived_at is null`}
    order by p.name, p.id`);
  return rows.map((r) => ({ id: r.id, name: r.name, description: r.description }));
}

/** Failure reasons for the dashboard's environments: the newest failed backup of each given environment whose newest run failed. */
export async function lastFailures(db: DbOrTx, orgId: string, environmentIds: string[]): Promise<Map<string, { backupId: string; error: string | null }>> {
  if (environmentIds.length === 0) return new Map();
  const rows = await db.execute<{ environment_id: string; id: string; error: string | null }>(sql`
    select l.environment_id, failed.id, failed.error
    from environment_last_runs l
    cross join lateral (
      select b.id, b.error from backups b
      where b.environment_id = l.environment_id and b.status = 'failed' and b.org_id = ${orgId}
      order by b.created_at desc limit 1
    ) failed
    where l.environment_id = any(${`{${environmentIds.join(",")}}`}::uuid[]) and l.last_run_status = 'failed'`);
  return new Map(rows.map((r) => [r.environment_id, { backupId: r.id, error: r.error }]));
}
