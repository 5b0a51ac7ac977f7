import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { NON_COMPLIANCE_REASONS, assessCompliance, isRecent, recentWindowMs, type NonComplianceReason } from "@/server/policies/compliance";
import { OVERDUE_REASONS } from "@/server/db/schema";
import { loadEnvironmentPolicies, type EnvironmentPolicy } from "@/server/policies/environment-policies";
import { findOverdueEnvironments } from "@/server/schedules/find-overdue";
import { nextWindow, slotOffsetMs, windowStartsAround, type WindowCache } from "@/server/schedules/environment-slot";
import { awaitsFirstRun, nextRunOf } from "@/server/fleet/environment-health";
import { lastFailures } from "@/server/fleet/fleet-queries";
import { oneLine } from "@/server/jobs/run-failure";
import { dailyRuns, environmentRuns, failedCopies, failuresSince, latestDrills, storageUsage, type EnvironmentRuns, type LatestDrill } from "./dashboard-queries";

export const CHART_DAYS = 30;
const NON_COMPLIANT_SHOWN = 50;
const UPCOMING_SHOWN = 10;
const WINDOWS_SHOWN = 5;

export const dashboardOutput = z.object({
  compliance: z.object({
    /** Compliant / enabled × 100, rounded down to one decimal; null when no environment has backups enabled. */
    percent: z.number().nullable(),
    compliant: z.number(),
    enabled: z.number(),
  }),
  /** The first 50 environments with backups enabled that are not compliant, most urgent first. */
  nonCompliant: z.array(
    z.object({
      environmentId: z.string(),
      environmentName: z.string(),
      projectId: z.string(),
      projectName: z.string(),
      reason: z.enum(NON_COMPLIANCE_REASONS),
      lastSuccessAt: z.string().nullable(),
      lastBackupAt: z.string().nullable(),
      /** The newest run's failure in one line, and that backup (for its log), when the newest run failed. */
      detail: z.string().nullable(),
      failedBackupId: z.string().nullable(),
      /** For an environment with no backup yet whose first scheduled run is still ahead: when it runs. */
      firstRunAt: z.string().nullable(),
    }),
  ),
  nonCompliantTotal: z.number(),
  /** Of the non-compliant environments, those with no backup yet whose first scheduled run is still ahead (nothing is wrong yet). */
  awaitingFirstRun: z.number(),
  /**
   * Environments with backups enabled and no successful backup within their window (past retries and a margin),
   * each told once per period as an "overdue" notification: the first 50, longest overdue first.
   */
  overdue: z.array(
    z.object({
      environmentId: z.string(),
      environmentName: z.string(),
      projectId: z.string(),
      projectName: z.string(),
      reason: z.enum(OVERDUE_REASONS),
      detail: z.string(),
      /** The slot whose period has no successful backup. */
      slot: z.string(),
    }),
  ),
  overdueTotal: z.number(),
  /** Second copies that failed after their last attempt, newest first (needs attention too); the total counts them all. */
  failedCopies: z.array(
    z.object({
      backupId: z.string(),
      storageLocationId: z.string(),
      locationName: z.string(),
      environmentId: z.string(),
      environmentName: z.string(),
      projectId: z.string(),
      projectName: z.string(),
      attempts: z.number(),
      error: z.string().nullable(),
      /** "Second copy failed: <location>: <error>". */
      reason: z.string(),
      failedAt: z.string(),
    }),
  ),
  failedCopiesTotal: z.number(),
  /**
   * Proven restorable: of the environments with restore drills enabled, those whose latest drill passed within its
   * schedule's period (the same window as compliance uses for backups). Percent as for compliance.
   */
  provenRestorable: z.object({ percent: z.number().nullable(), proven: z.number(), enabled: z.number() }),
  /** Environments whose latest restore drill failed (drills enabled or not), newest failure first, at most 50. */
  failedDrills: z.array(
    z.object({ environmentId: z.string(), environmentName: z.string(), projectId: z.string(), projectName: z.string(), error: z.string().nullable(), finishedAt: z.string() }),
  ),
  /** Protected: a recent successful backup (under the environment's own schedule), whether or not backups are enabled. */
  environments: z.object({ total: z.number(), enabled: z.number(), protected: z.number() }),
  /** Backups and restores that failed in the last 24 hours. */
  failuresLast24h: z.number(),
  storage: z.array(z.object({ storageLocationId: z.string(), name: z.string(), provider: z.string(), usedBytes: z.number(), dedupSavedBytes: z.number(), backups: z.number() })),
  /** Finished backups per day over the last 30 days, oldest first; days are UTC calendar days. */
  daily: z.array(z.object({ day: z.string(), completed: z.number(), failed: z.number() })),
  /** The next scheduled runs of environments with backups enabled, soonest first: each at its own slot in its policy's start window. */
  upcoming: z.array(z.object({ environmentId: z.string(), environmentName: z.string(), projectId: z.string(), projectName: z.string(), at: z.string() })),
  /**
   * The next window of each schedule that environments with backups enabled follow, soonest first (at most 5): from
   * the scheduled time to the end of the start window (the same instant without one), and how many environments start in it.
   */
  upcomingWindows: z.array(z.object({ schedule: z.string(), timezone: z.string(), spreadMinutes: z.number(), start: z.string(), end: z.string(), environments: z.number() })),
});
export type Dashboard = z.infer<typeof dashboardOutput>;

const URGENCY = new Map(NON_COMPLIANCE_REASONS.map((reason, i) => [reason, i]));
const collator = new Intl.Collator();

type Assessed = { env: EnvironmentPolicy; runs: EnvironmentRuns | undefined; reason: NonComplianceReason; firstRunAt: Date | null };

const byName = (a: EnvironmentPolicy, b: EnvironmentPolicy) => collator.compare(a.projectName, b.projectName) || collator.compare(a.environmentName, b.environmentName);

/** Most urgent reason first (a first run still ahead last); within one, the longest without a success first, then by name. */
function byUrgency(a: Assessed, b: Assessed): number {
  const urgency = (x: Assessed) => (x.firstRunAt ? NON_COMPLIANCE_REASONS.length : URGENCY.get(x.reason)!);
  return urgency(a) - urgency(b) || (a.runs?.lastSuccessAt?.getTime() ?? 0) - (b.runs?.lastSuccessAt?.getTime() ?? 0) || byName(a.env, b.env);
}

/** The first `count` of `items` in `order`, without sorting them all (a schedule may hold thousands of environments). */
function firstOf<T>(items: T[], count: number, order: (a: T, b: T) => number): T[] {
  const kept: T[] = [];
  for (const item of items) {
    if (kept.length === count && order(item, kept[count - 1]!) >= 0) continue;
    const at = kept.findIndex((k) => order(item, k) < 0);
    kept.splice(at === -1 ? kept.length : at, 0, item);
    if (kept.length > count) kept.pop();
  }
  return kept;
}

/** The enabled environments grouped by what places their runs: schedule, time zone and start window. */
function bySchedule(enabled: readonly EnvironmentPolicy[]): EnvironmentPolicy[][] {
  const groups = new Map<string, EnvironmentPolicy[]>();
  for (const env of enabled) {
    const key = `${env.policy.schedule}\u0000${env.policy.timezone}\u0000${env.policy.spreadMinutes}`;
    const group = groups.get(key);
    if (group) group.push(env);
    else groups.set(key, [env]);
  }
  return [...groups.values()];
}

/**
 * The next `count` scheduled runs among environments with backups enabled: each environment's own slots (its
 * schedule's runs plus its offset in the start window). Croner runs once per distinct (cron, time zone); in each
 * window only the `count` environments with the smallest offsets can be among the soonest, so no more are dated.
 */
function upcomingRuns(groups: EnvironmentPolicy[][], now: Date, count: number) {
  type Placed = { env: EnvironmentPolicy; offset: number };
  const byOffset = (a: Placed, b: Placed) => a.offset - b.offset || byName(a.env, b.env);
  const runs: Array<{ env: EnvironmentPolicy; at: number }> = [];
  for (const group of groups) {
    const policy = group[0]!.policy;
    const placed = group.map((env) => ({ env, offset: slotOffsetMs(env.environmentId, policy.spreadMinutes) }));
    const starts = windowStartsAround(policy, now, count).map((start) => start.getTime());
    // Every environment's slot in a window still ahead is to come; in the first one, only those not yet passed.
    const soonest = firstOf(placed, count, byOffset);
    for (const [i, start] of starts.entries()) {
      const chosen = i === 0 || start <= now.getTime() ? firstOf(placed.filter((p) => start + p.offset > now.getTime()), count, byOffset) : soonest;
      for (const { env, offset } of chosen) runs.push({ env, at: start + offset });
    }
  }
  return firstOf(runs, count, (a, b) => a.at - b.at || byName(a.env, b.env)).map(({ env, at }) => ({
    environmentId: env.environmentId,
    environmentName: env.environmentName,
    projectId: env.projectId,
    projectName: env.projectName,
    at: new Date(at).toISOString(),
  }));
}

/** The next window of each schedule, soonest first, with how many environments start in it. */
function upcomingWindows(groups: EnvironmentPolicy[][], now: Date, count: number) {
  const windows = groups.flatMap((group) => {
    const { schedule, timezone, spreadMinutes } = group[0]!.policy;
    const next = nextWindow({ schedule, timezone, spreadMinutes }, now);
    return next ? [{ schedule, timezone, spreadMinutes, start: next.start, end: next.end, environments: group.length }] : [];
  });
  windows.sort((a, b) => a.start.getTime() - b.start.getTime() || b.environments - a.environments);
  return windows.slice(0, count).map((w) => ({ ...w, start: w.start.toISOString(), end: w.end.toISOString() }));
}

/** "Proven restorable" and the failed drills needing attention. */
function drillSummary(policies: readonly EnvironmentPolicy[], drills: Map<string, LatestDrill>, now: Date) {
  const windows: WindowCache = new Map();
  const drilled = policies.filter((e) => e.policy.drill.enabled);
  const proven = drilled.filter((e) => {
    const latest = drills.get(e.environmentId);
    // Drills start at their schedule's time: the backup start window does not apply to them.
    const schedule = { schedule: e.policy.drill.schedule, timezone: e.policy.timezone, spreadMinutes: 0 };
    return latest?.status === "completed" && isRecent(latest.finishedAt, recentWindowMs(schedule, e.environmentId, now, windows), now);
  }).length;
  const failed = policies
    .flatMap((env) => {
      const latest = drills.get(env.environmentId);
      return latest?.status === "failed" ? [{ env, latest }] : [];
    })
    .sort((a, b) => b.latest.finishedAt.getTime() - a.latest.finishedAt.getTime())
    .slice(0, NON_COMPLIANT_SHOWN);
  return {
    provenRestorable: { percent: drilled.length === 0 ? null : Math.floor((proven * 1000) / drilled.length) / 10, proven, enabled: drilled.length },
    failedDrills: failed.map(({ env, latest }) => ({
      environmentId: env.environmentId,
      environmentName: env.environmentName,
      projectId: env.projectId,
      projectName: env.projectName,
      error: latest.error,
      finishedAt: latest.finishedAt.toISOString(),
    })),
  };
}

/**
 * The organization's dashboard: backup compliance (environments with backups enabled whose newest completed
 * backup is recent under their schedule, see `assessCompliance`), the non-compliant ones with why, failures of
 * the last 24 hours, storage used per location, a 30-day chart, the next scheduled runs and windows. Six queries in
 * parallel: one or two index probes per environment, and index-only scans of the last 30 days' finished backups
 * and of the completed ones (which retention keeps few of); never the whole history.
 */
export async function getDashboard(db: DbOrTx, actor: Principal, now: Date = new Date()): Promise<Dashboard> {
  const [policies, runs, storage, daily, failuresLast24h, copies, drills, overdue] = await Promise.all([
    loadEnvironmentPolicies(db, { orgId: actor.orgId }),
    environmentRuns(db, actor.orgId),
    storageUsage(db, actor.orgId),
    dailyRuns(db, actor.orgId, now, CHART_DAYS),
    failuresSince(db, actor.orgId, new Date(now.getTime() - 24 * 60 * 60 * 1000)),
    failedCopies(db, actor.orgId),
    latestDrills(db, actor.orgId),
    findOverdueEnvironments(db, now, { orgId: actor.orgId }),
  ]);
  const windows: WindowCache = new Map();
  const enabled = policies.filter((e) => e.policy.enabled);
  const failing: Assessed[] = [];
  for (const env of enabled) {
    const envRuns = runs.get(env.environmentId);
    const result = assessCompliance({ policy: env.policy, environmentId: env.environmentId, lastSuccessAt: envRuns?.lastSuccessAt ?? null, lastRun: envRuns?.lastRun ?? null, now }, windows);
    if (result.compliant) continue;
    // A new environment whose first scheduled run is still ahead is not failing: it is told apart, with when it runs.
    const firstRunAt = result.reason === "no_backup_yet" && awaitsFirstRun(env, now, windows) ? nextRunOf(env, now, windows) : null;
    failing.push({ env, runs: envRuns, reason: result.reason, firstRunAt });
  }
  const compliant = enabled.length - failing.length;
  const protectedCount = policies.filter((e) => isRecent(runs.get(e.environmentId)?.lastSuccessAt ?? null, recentWindowMs(e.policy, e.environmentId, now, windows), now)).length;
  const shown = firstOf(failing, NON_COMPLIANT_SHOWN, byUrgency);
  const failures = await lastFailures(db, actor.orgId, shown.filter((s) => s.runs?.lastRun?.status === "failed").map((s) => s.env.environmentId));
  const groups = bySchedule(enabled);
  return {
    compliance: { percent: enabled.length === 0 ? null : Math.floor((compliant * 1000) / enabled.length) / 10, compliant, enabled: enabled.length },
    nonCompliant: shown.map(({ env, runs: r, reason, firstRunAt }) => {
      const failure = failures.get(env.environmentId);
      return {
        environmentId: env.environmentId,
        environmentName: env.environmentName,
        projectId: env.projectId,
        projectName: env.projectName,
        reason,
        lastSuccessAt: r?.lastSuccessAt?.toISOString() ?? null,
        lastBackupAt: r?.lastRun?.finishedAt?.toISOString() ?? null,
        detail: failure ? oneLine(failure.error ?? "No error was recorded") : null,
        failedBackupId: failure?.backupId ?? null,
        firstRunAt: firstRunAt?.toISOString() ?? null,
      };
    }),
    nonCompliantTotal: failing.length,
    awaitingFirstRun: failing.filter((f) => f.firstRunAt).length,
    overdue: overdue
      .sort((a, b) => a.slot.getTime() - b.slot.getTime())
      .slice(0, NON_COMPLIANT_SHOWN)
      .map((o) => ({ environmentId: o.environmentId, environmentName: o.environmentName, projectId: o.projectId, projectName: o.projectName, reason: o.reason, detail: o.detail, slot: o.slot.toISOString() })),
    overdueTotal: overdue.length,
    failedCopies: copies.items,
    failedCopiesTotal: copies.total,
    ...drillSummary(policies, drills, now),
    environments: { total: policies.length, enabled: enabled.length, protected: protectedCount },
    failuresLast24h,
    storage,
    daily,
    upcoming: upcomingRuns(groups, now, UPCOMING_SHOWN),
    upcomingWindows: upcomingWindows(groups, now, WINDOWS_SHOWN),
  };
}
