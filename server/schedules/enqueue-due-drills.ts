import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import { restoreDrills } from "@/server/db/schema";
import { drillJobKey } from "@/server/drills/job-key";
import { enqueueJobs, environmentQueue } from "@/server/jobs/enqueue";
import { loadEnvironmentPolicies } from "@/server/policies/environment-policies";
import { latestSlot } from "./latest-slot";

/** A PostgreSQL array literal of uuids or timestamps (values that need no quoting). */
const pgArray = (values: (string | null)[]) => `{${values.map((v) => v ?? "NULL").join(",")}}`;

/**
 * The scheduler's tick for restore drills: every environment whose effective policy has drills on gets one drill
 * per slot of its drill schedule (in the policy's time zone), queued in the environment's queue so it never runs
 * beside a backup or a restore of it. Like backups, only the latest slot runs, never one from before the policy
 * took effect, and the unique (environment, slot) index keeps a second tick from adding it again.
 */
export async function enqueueDueDrills(db: DbOrTx, now: Date = new Date()): Promise<{ enqueued: number }> {
  const slots = new Map<string, Date | null>();
  const due = (await loadEnvironmentPolicies(db))
    .filter((e) => e.policy.drill.enabled)
    .map((e) => ({ e, slot: latestSlot(e.policy.drill.schedule, e.policy.timezone, now, slots) }))
    .filter((d): d is typeof d & { slot: Date } => d.slot !== null && d.slot > d.e.since);
  if (due.length === 0) return { enqueued: 0 };
  return db.transaction(async (tx) => {
    const inserted = await tx.execute<{ id: string; environment_id: string }>(sql`
      insert into ${restoreDrills} (org_id, environment_id, server_id, scheduled_for, created_at)
      select d.org_id, d.environment_id, d.server_id, d.scheduled_for, ${now.toISOString()}::timestamptz
      from unnest(${pgArray(due.map((d) => d.e.orgId))}::uuid[], ${pgArray(due.map((d) => d.e.environmentId))}::uuid[], ${pgArray(due.map((d) => d.e.policy.drill.serverId))}::uuid[],
        ${pgArray(due.map((d) => d.slot.toISOString()))}::timestamptz[]) as d(org_id, environment_id, server_id, scheduled_for)
      on conflict (environment_id, scheduled_for) where scheduled_for is not null do nothing
      returning id, environment_id`);
    await enqueueJobs(
      tx,
      "drill/run",
      inserted.map((d) => ({ payload: { drillId: d.id }, queueName: environmentQueue(d.environment_id), jobKey: drillJobKey(d.id), maxAttempts: 1 })),
    );
    return { enqueued: inserted.length };
  });
}
