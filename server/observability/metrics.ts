import { Gauge, Registry } from "prom-client";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { BACKUP_STATUSES, OVERDUE_REASONS, RESTORE_STATUSES } from "@/server/db/schema";
import { countLiveWorkers } from "@/server/jobs/worker-presence";
import { findOverdueEnvironments } from "@/server/schedules/find-overdue";
import { getDashboard } from "@/server/services/dashboard";
import { backupBytesSince, jobQueue, lastSuccessAges, runDurations, runsByStatus, serverWaits } from "./metrics-queries";

const DAY_MS = 24 * 60 * 60 * 1000;

type Labels = Record<string, string>;

/** A gauge in `registry` set from rows: one sample per row. */
function gauge(registry: Registry, name: string, help: string, labelNames: string[], samples: Array<[Labels, number]>): void {
  const metric = new Gauge({ name, help, labelNames, registers: [registry] });
  for (const [labels, value] of samples) metric.set(labels, value);
}

/** A ratio of `part` to `whole`, or no sample when there is nothing to measure (no environment enabled). */
function ratio(part: number, whole: number): Array<[Labels, number]> {
  return whole === 0 ? [] : [[{}, part / whole]];
}

/**
 * The organization's metrics in Prometheus text format, computed from the database on each scrape with a few
 * aggregate queries (none per environment); worker and queue figures are console-wide.
 */
export async function renderMetrics(db: DbOrTx, actor: Principal, now: Date = new Date()): Promise<{ contentType: string; body: string }> {
  const dayAgo = new Date(now.getTime() - DAY_MS);
  const [runs, durations, bytes, queue, waits, ages, dashboard, overdue, workers] = await Promise.all([
    runsByStatus(db, actor.orgId),
    runDurations(db, actor.orgId, dayAgo),
    backupBytesSince(db, actor.orgId, dayAgo),
    jobQueue(db),
    serverWaits(db, actor.orgId),
    lastSuccessAges(db, actor.orgId, now),
    getDashboard(db, actor, now),
    findOverdueEnvironments(db, now, { orgId: actor.orgId }),
    countLiveWorkers(db),
  ]);
  const registry = new Registry();
  // Every status, zero included: a series that appears only once something fails cannot be alerted on by rate.
  const countsOf = (kind: "backup" | "restore", statuses: readonly string[]): Array<[Labels, number]> =>
    statuses.map((status) => [{ status }, runs.find((r) => r.kind === kind && r.status === status)?.count ?? 0]);
  gauge(registry, "safehold_backups", "Backups by status", ["status"], countsOf("backup", BACKUP_STATUSES));
  gauge(registry, "safehold_restores", "Restores by status", ["status"], countsOf("restore", RESTORE_STATUSES));
  gauge(
    registry,
    "safehold_run_duration_seconds",
    "Durations of the backups and restores completed in the last 24 hours (quantile 1 is the longest)",
    ["kind", "quantile"],
    durations.flatMap((d) => (d.count === 0 ? [] : ([["0.5", d.p50], ["0.9", d.p90], ["1", d.max]] as const).map(([quantile, value]): [Labels, number] => [{ kind: d.kind, quantile }, value ?? 0]))),
  );
  gauge(registry, "safehold_runs_completed_last_24h", "Backups and restores completed in the last 24 hours", ["kind"], durations.map((d) => [{ kind: d.kind }, d.count]));
  gauge(registry, "safehold_backup_bytes_last_24h", "Bytes written by the backups completed in the last 24 hours", [], [[{}, bytes]]);
  gauge(registry, "safehold_storage_used_bytes", "Bytes the completed backups and their copies take per storage location", ["location"], dashboard.storage.map((s) => [{ location: s.name }, s.usedBytes]));
  gauge(registry, "safehold_queue_jobs", "Worker jobs by task and state (console-wide)", ["task", "state"], queue.flatMap((q) => (["waiting", "running", "scheduled", "failed"] as const).map((state): [Labels, number] => [{ task: q.task, state }, q[state]])));
  gauge(registry, "safehold_queue_oldest_waiting_seconds", "How long the oldest due job of each task has waited to be taken (console-wide)", ["task"], queue.map((q) => [{ task: q.task }, q.oldest_waiting_seconds ?? 0]));
  gauge(registry, "safehold_server_waiting_runs", "Runs waiting for a free slot on their server (its limit of concurrent operations)", ["server"], waits.map((w) => [{ server: w.server }, w.waiting]));
  gauge(registry, "safehold_compliance_ratio", "Environments with backups enabled whose latest success is recent under their schedule, of all enabled", [], ratio(dashboard.compliance.compliant, dashboard.compliance.enabled));
  gauge(registry, "safehold_proven_restorable_ratio", "Environments with restore drills enabled whose latest drill passed within its period, of all drilled", [], ratio(dashboard.provenRestorable.proven, dashboard.provenRestorable.enabled));
  gauge(registry, "safehold_environment_last_success_age_seconds", "Seconds since each environment's newest successful backup", ["project", "environment"], ages.map((a) => [{ project: a.project, environment: a.environment }, a.seconds]));
  const byReason = new Map<string, number>(OVERDUE_REASONS.map((reason) => [reason, 0]));
  for (const o of overdue) byReason.set(o.reason, (byReason.get(o.reason) ?? 0) + 1);
  gauge(registry, "safehold_overdue_environments", "Environments with no successful backup within their window, by reason", ["reason"], [...byReason].map(([reason, count]) => [{ reason }, count]));
  gauge(registry, "safehold_workers", "Worker processes running now (console-wide)", [], [[{}, workers]]);
  return { contentType: registry.contentType, body: await registry.metrics() };
}
