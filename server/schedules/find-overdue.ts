import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import type { OverdueReason } from "@/server/db/schema";
import { countLiveWorkers } from "@/server/jobs/worker-presence";
import { oneLine } from "@/server/jobs/run-failure";
import { loadEnvironmentPolicies, type EnvironmentPolicy } from "@/server/policies/environment-policies";
import type { Policy } from "@/server/policies/policy-fields";
import { latestEnvironmentSlot, type WindowCache } from "./environment-slot";

/** Past the retries, time for the scheduler's minute tick and a worker to pick the run up. */
const OVERDUE_MARGIN_MS = 10 * 60 * 1000;

/** A PostgreSQL array literal of uuids or timestamps (values that need no quoting). */
const pgArray = (values: string[]) => `{${values.join(",")}}`;

export type OverdueEnvironment = {
  environmentId: string;
  orgId: string;
  projectId: string;
  environmentName: string;
  projectName: string;
  /** The slot whose period has no successful backup. */
  slot: Date;
  reason: OverdueReason;
  detail: string;
  /** Who is told: the environment's effective policy. */
  notify: Pick<Policy, "notifyOnFailure" | "notificationChannelIds">;
};

/**
 * How long after its slot an environment without a successful backup is overdue: a backup still being retried
 * (another attempt is allowed within the policy's retries window) is not overdue yet.
 */
export function overdueGraceMs(policy: Pick<Policy, "retries">): number {
  const retrying = policy.retries.attempts > 1 ? policy.retries.withinMinutes * 60_000 : 0;
  return retrying + OVERDUE_MARGIN_MS;
}

type SlotState = { environment_id: string; succeeded: boolean; status: string | null; error: string | null };

/**
 * For each (environment, slot): whether a backup succeeded since the slot (environment_last_runs, kept by
 * triggers), and if not, the newest backup of the environment created since the slot or the slot's own scheduled
 * one: two index probes per environment without a success, none for the others.
 */
async function slotStates(db: DbOrTx, due: { env: EnvironmentPolicy; slot: Date }[]): Promise<Map<string, SlotState>> {
  if (due.length === 0) return new Map();
  const rows = await db.execute<SlotState>(sql`
    select d.environment_id, s.succeeded, latest.status, latest.error
    from unnest(${pgArray(due.map((d) => d.env.environmentId))}::uuid[], ${pgArray(due.map((d) => d.slot.toISOString()))}::timestamptz[]) as d(environment_id, slot)
    left join environment_last_runs l on l.environment_id = d.environment_id
    cross join lateral (select coalesce(l.last_success_at >= d.slot, false) as succeeded) s
    left join lateral (
      select runs.status, runs.error from (
        (select b.status::text, b.error, b.created_at from backups b
          where b.environment_id = d.environment_id and b.created_at >= d.slot order by b.created_at desc limit 1)
        union all
        (select b.status::text, b.error, b.created_at from backups b where b.environment_id = d.environment_id and b.scheduled_for = d.slot)
      ) runs
      where not s.succeeded
      order by runs.created_at desc limit 1
    ) latest on true`);
  return new Map(rows.map((r) => [r.environment_id, r]));
}

const RUNNING = new Set(["in_progress", "uploading"]);

/** Why the slot has no success, or null while its backup is still running on a live worker. */
function assess(state: SlotState | undefined, workersAlive: boolean): { reason: OverdueReason; detail: string } | null {
  if (!workersAlive) return { reason: "no_worker", detail: "No worker process is running: scheduled backups are not being processed" };
  if (state?.status && RUNNING.has(state.status)) return null;
  if (state?.status === "failed") return { reason: "failing", detail: `Its backup failed: ${oneLine(state.error ?? "no error was recorded")}` };
  if (state?.status === "pending") return { reason: "never_ran", detail: "Its backup is still waiting in the queue and has not started" };
  return { reason: "never_ran", detail: "No backup ran for this slot" };
}

/**
 * Environments with backups enabled and no successful backup since their latest slot whose grace (see
 * `overdueGraceMs`) has passed at `now`, with why. Slots from before the environment existed or before its policy
 * last changed do not count, as the scheduler never runs them. A few queries whatever the number of environments.
 */
export async function findOverdueEnvironments(db: DbOrTx, now: Date, scope: { orgId?: string } = {}): Promise<OverdueEnvironment[]> {
  const [policies, workers] = await Promise.all([loadEnvironmentPolicies(db, scope), countLiveWorkers(db)]);
  const windows: WindowCache = new Map();
  const due: { env: EnvironmentPolicy; slot: Date }[] = [];
  for (const env of policies) {
    if (!env.policy.enabled) continue;
    const slot = latestEnvironmentSlot(env.policy, env.environmentId, new Date(now.getTime() - overdueGraceMs(env.policy)), windows);
    if (slot && slot > env.since) due.push({ env, slot });
  }
  const states = await slotStates(db, due);
  return due.flatMap(({ env, slot }) => {
    const state = states.get(env.environmentId);
    if (state?.succeeded) return [];
    const verdict = assess(state, workers > 0);
    if (!verdict) return [];
    const { environmentId, orgId, projectId, environmentName, projectName } = env;
    const notify = { notifyOnFailure: env.policy.notifyOnFailure, notificationChannelIds: env.policy.notificationChannelIds };
    return [{ environmentId, orgId, projectId, environmentName, projectName, slot, ...verdict, notify }];
  });
}
