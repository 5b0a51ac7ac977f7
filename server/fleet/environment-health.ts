import { assessCompliance, type NonComplianceReason } from "@/server/policies/compliance";
import type { EnvironmentPolicy } from "@/server/policies/environment-policies";
import { latestEnvironmentSlot, nextEnvironmentSlots, type WindowCache } from "@/server/schedules/environment-slot";
import type { EnvironmentRuns } from "@/server/services/dashboard-queries";

/**
 * An environment's health, worst first: its newest run failed, its last success is too old, a slot passed with no
 * backup ever, its first scheduled run is still ahead (nothing is wrong yet), it is protected, backups are off.
 */
export const ENVIRONMENT_STATUSES = ["failing", "overdue", "never_ran", "first_run_scheduled", "ok", "disabled"] as const;
export type EnvironmentStatus = (typeof ENVIRONMENT_STATUSES)[number];

/** Lower is worse: the position in ENVIRONMENT_STATUSES. */
export const severityOf = (status: EnvironmentStatus) => ENVIRONMENT_STATUSES.indexOf(status);

export type EnvironmentHealth = {
  status: EnvironmentStatus;
  /** Why it is not compliant (as the dashboard says it), null when compliant or disabled. */
  reason: NonComplianceReason | null;
  /** Its next scheduled run; null when backups are off or its schedule never runs. */
  nextRunAt: Date | null;
};

/**
 * Whether an environment without any completed backup is still waiting for its first scheduled run: none of its
 * slots has come since it was created or its policy last changed (the scheduler never runs older slots).
 */
export function awaitsFirstRun(env: EnvironmentPolicy, now: Date, cache?: WindowCache): boolean {
  const latest = latestEnvironmentSlot(env.policy, env.environmentId, now, cache);
  return latest === null || latest <= env.since;
}

/** The next run of an environment with backups enabled, at its own slot in its policy's start window. */
export function nextRunOf(env: EnvironmentPolicy, now: Date, cache?: WindowCache): Date | null {
  return env.policy.enabled ? (nextEnvironmentSlots(env.policy, env.environmentId, now, 1, cache)[0] ?? null) : null;
}

/**
 * One environment's health from what compliance already reads (its effective policy and environment_last_runs):
 * compliance decides ok / failing / overdue exactly as on the dashboard; "no backup yet" splits into a first run
 * still ahead (neutral) and a slot that passed without one.
 */
export function environmentHealth(env: EnvironmentPolicy, runs: EnvironmentRuns | undefined, now: Date, cache?: WindowCache): EnvironmentHealth {
  if (!env.policy.enabled) return { status: "disabled", reason: null, nextRunAt: null };
  const nextRunAt = nextRunOf(env, now, cache);
  const result = assessCompliance({ policy: env.policy, environmentId: env.environmentId, lastSuccessAt: runs?.lastSuccessAt ?? null, lastRun: runs?.lastRun ?? null, now }, cache);
  if (result.compliant) return { status: "ok", reason: null, nextRunAt };
  const status: EnvironmentStatus =
    result.reason === "storage_error" || result.reason === "last_run_failed" ? "failing" : result.reason === "overdue" ? "overdue" : awaitsFirstRun(env, now, cache) ? "first_run_scheduled" : "never_ran";
  return { status, reason: result.reason, nextRunAt };
}
