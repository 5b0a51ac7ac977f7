import { sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";

/*
 * Storage use of incremental filestores: an object is stored once per location however many backups name it, so it
 * is counted once; "deduplication saved" is what the backups' filestores would take if each had its own copy of
 * every file (the sum over references) minus the files actually stored (the sum over distinct objects). Only
 * completed backups count, as for every other size shown.
 */

/**
 * For one location (`locationId`, a column of the enclosing query): the stored bytes of the objects its completed
 * backups (and completed second copies) reference there, and what sharing them saved. Scalar subqueries.
 */
export function locationFilestoreUsage(locationId: SQL): { storedBytes: SQL<number>; savedBytes: SQL<number> } {
  const referenced = sql`(
    select r.object_id, count(*) as refs from backup_filestore_objects r
    join backups rb on rb.id = r.backup_id and rb.status = 'completed'
    where r.storage_location_id = ${locationId}
    group by r.object_id
  ) k join filestore_objects o on o.storage_location_id = ${locationId} and o.id = k.object_id`;
  return {
    storedBytes: sql<number>`(select coalesce(sum(o.stored_size), 0) from ${referenced})::float8`,
    savedBytes: sql<number>`(select coalesce(sum(o.size * (k.refs - 1)), 0) from ${referenced})::float8`,
  };
}

export type FilestoreUsage = { storedBytes: number; savedBytes: number };

/**
 * Per project or per active environment of the organization (the fleet's view): the objects its completed backups
 * reference in their own storage location (second copies are not counted, as for backup sizes), each counted once
 * per location.
 */
export async function filestoreUsageBy(db: DbOrTx, orgId: string, by: "project" | "environment", projectId?: string): Promise<Map<string, FilestoreUsage>> {
  const owner = by === "project" ? sql`b.project_id` : sql`b.environment_id`;
  const rows = await db.execute<{ owner_id: string; stored_bytes: string; saved_bytes: string }>(sql`
    select k.owner_id, sum(o.stored_size)::text as stored_bytes, sum(o.size * (k.refs - 1))::text as saved_bytes
    from (
      select ${owner} as owner_id, r.storage_location_id, r.object_id, count(*) as refs
      from backups b
      join environments e on e.id = b.environment_id and e.archived_at is null
      join backup_filestore_objects r on r.backup_id = b.id and r.storage_location_id = b.storage_location_id
      where b.org_id = ${orgId} and b.status = 'completed' ${projectId ? sql`and b.project_id = ${projectId}` : sql``}
      group by 1, 2, 3
    ) k
    join filestore_objects o on o.storage_location_id = k.storage_location_id and o.id = k.object_id
    group by k.owner_id`);
  return new Map(rows.map((r) => [r.owner_id, { storedBytes: Number(r.stored_bytes), savedBytes: Number(r.saved_bytes) }]));
}
