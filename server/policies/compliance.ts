import type { FailureKind } from "@/shared/enum-values";
import { slotPeriodMs, type SlotSchedule, type WindowCache } from "@/server/schedules/environment-slot";
import type { Policy } from "./policy-fields";

/** How long past its schedule's interval an environment's last success still counts as recent. */
export const COMPLIANCE_GRACE_MS = 60 * 60 * 1000;

/** Why an environment with backups enabled is not compliant, most urgent first. */
export const NON_COMPLIANCE_REASONS = ["storage_error", "last_run_failed", "overdue", "no_backup_yet"] as const;
export type NonComplianceReason = (typeof NON_COMPLIANCE_REASONS)[number];

/** The newest finished backup of an environment (any type): its status and, for a failure, its kind. */
export type LastRun = { status: "completed" | "failed"; failureKind: FailureKind | null };

export type ComplianceInput = {
  policy: Pick<Policy, "schedule" | "timezone" | "spreadMinutes">;
  environmentId: string;
  /** When the environment's newest completed backup finished; null when none ever completed. */
  lastSuccessAt: Date | null;
  lastRun: LastRun | null;
  now: Date;
};

export type ComplianceResult = { compliant: true; reason: null } | { compliant: false; reason: NonComplianceReason };

/**
 * How long a success stays recent under a schedule: the environment's period now (`slotPeriodMs`: the longer of the
 * current and the previous gap between its slots, in its time zone and shifted by its offset within the start window)
 * plus one hour of grace. Daily → 25 h (26 h across the 25-hour day of a daylight-saving change), hourly → 2 h,
 * weekly → 7 d 1 h, weekdays only → 73 h from Friday's slot until Monday's has had its hour, then 25 h again. Null
 * for a schedule that cannot run (policies are checked when saved, so only a hand-edited row has one). The
 * schedule's runs are computed once per (cron, time zone) in `cache`, since most environments share one.
 */
export function recentWindowMs(schedule: SlotSchedule, environmentId: string, now: Date, cache?: WindowCache): number | null {
  const period = slotPeriodMs(schedule, environmentId, now, cache);
  return period === null ? null : period + COMPLIANCE_GRACE_MS;
}

/** Whether a success at `lastSuccessAt` is recent under a window from `recentWindowMs`. */
export function isRecent(lastSuccessAt: Date | null, windowMs: number | null, now: Date): boolean {
  return lastSuccessAt !== null && windowMs !== null && now.getTime() - lastSuccessAt.getTime() <= windowMs;
}

/**
 * Whether an environment with backups enabled is compliant: its newest completed backup finished within its
 * schedule's window (`recentWindowMs`). When it is not, the reason says what to fix first: the newest run
 * failed in storage (`storage_error`) or elsewhere (`last_run_failed`), else the last success is too old
 * (`overdue`), else nothing ever completed (`no_backup_yet`). A failure outranks "no backup yet": it says why.
 */
export function assessCompliance(input: ComplianceInput, cache?: WindowCache): ComplianceResult {
  const window = recentWindowMs(input.policy, input.environmentId, input.now, cache);
  if (isRecent(input.lastSuccessAt, window, input.now)) return { compliant: true, reason: null };
  if (input.lastRun?.status === "failed") return { compliant: false, reason: input.lastRun.failureKind === "storage" ? "storage_error" : "last_run_failed" };
  return { compliant: false, reason: input.lastSuccessAt ? "overdue" : "no_backup_yet" };
}
