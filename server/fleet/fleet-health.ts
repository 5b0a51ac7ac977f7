import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { NotFoundError } from "@/server/errors";
import { oneLine } from "@/server/jobs/run-failure";
import { NON_COMPLIANCE_REASONS } from "@/server/policies/compliance";
import { loadEnvironmentPolicies } from "@/server/policies/environment-policies";
import type { WindowCache } from "@/server/schedules/environment-slot";
import { environmentRuns } from "@/server/services/dashboard-queries";
import { STAGES } from "@/shared/enum-values";
import { ENVIRONMENT_STATUSES, environmentHealth, severityOf, type EnvironmentStatus } from "./environment-health";
import { environmentFacts, fleetProjects } from "./fleet-queries";
import { filestoreUsageBy, type FilestoreUsage } from "@/server/services/filestore-usage";

export const fleetHealthInput = z.object({
  /** One project's health (archived or not); without it, every active project of the organization. */
  projectId: z.uuid().optional(),
});

const environmentHealthItem = z.object({
  environmentId: z.string(),
  name: z.string(),
  stage: z.enum(STAGES),
  status: z.enum(ENVIRONMENT_STATUSES),
  /** Why it is not compliant, as on the dashboard; null when it is, or when backups are off. */
  reason: z.enum(NON_COMPLIANCE_REASONS).nullable(),
  lastSuccessAt: z.string().nullable(),
  /** When its newest run (completed or failed) finished. */
  lastRunAt: z.string().nullable(),
  /** Its newest run's failure, in one line, when that run failed. */
  lastFailure: z.object({ backupId: z.string(), message: z.string() }).nullable(),
  activeBackup: z.object({ backupId: z.string(), status: z.enum(["pending", "in_progress", "uploading"]) }).nullable(),
  nextRunAt: z.string().nullable(),
  /** What its completed backups take in their storage location, shared filestore objects counted once. */
  storedBytes: z.number(),
});

const projectHealthItem = z.object({
  projectId: z.string(),
  name: z.string(),
  description: z.string(),
  /** Its worst environment's status; null for a project without environments. */
  status: z.enum(ENVIRONMENT_STATUSES).nullable(),
  /** Sort key, worst first: the worst status's position in the status list (6 without environments). */
  severity: z.number(),
  /** Worst first, then by name. */
  environments: z.array(environmentHealthItem),
  /** Its stalest environment's last success (of those with backups enabled and past their first run); null when one never had any. */
  lastSuccessAt: z.string().nullable(),
  /** The newest failure among its failing environments. */
  lastFailure: z.object({ environmentId: z.string(), environmentName: z.string(), backupId: z.string(), message: z.string() }).nullable(),
  nextRunAt: z.string().nullable(),
  /** What the client's completed backups take, filestore objects shared between its backups and environments counted once. */
  storedBytes: z.number(),
  /** What storing each filestore file once saved across the client's backups (their filestores as full copies, minus the files stored). */
  dedupSavedBytes: z.number(),
  compliance: z.object({ compliant: z.number(), enabled: z.number(), percent: z.number().nullable() }),
});

export const fleetHealthOutput = z.object({
  /** Worst first: by worst status, then the most environments in it, then the stalest last success, then by name. */
  projects: z.array(projectHealthItem),
});
export type FleetHealth = z.infer<typeof fleetHealthOutput>;
type ProjectHealth = z.infer<typeof projectHealthItem>;
type EnvironmentHealthItem = z.infer<typeof environmentHealthItem>;

const collator = new Intl.Collator();
/** A time to sort by: never (null) sorts before any time. */
const time = (iso: string | null) => (iso === null ? 0 : Date.parse(iso));

function byWorst(a: EnvironmentHealthItem, b: EnvironmentHealthItem) {
  return severityOf(a.status) - severityOf(b.status) || time(a.lastSuccessAt) - time(b.lastSuccessAt) || collator.compare(a.name, b.name);
}

function summarize(project: { id: string; name: string; description: string }, envs: EnvironmentHealthItem[], sizes: { backupBytes: number; filestores: FilestoreUsage | undefined }): ProjectHealth {
  envs.sort(byWorst);
  const enabled = envs.filter((e) => e.status !== "disabled");
  const compliant = enabled.filter((e) => e.status === "ok").length;
  const failing = envs.filter((e) => e.lastFailure && e.status === "failing").sort((a, b) => time(b.lastRunAt) - time(a.lastRunAt))[0];
  // A new environment whose first run is still ahead does not make the client's last success "never".
  const successes = enabled.filter((e) => e.status !== "first_run_scheduled").map((e) => e.lastSuccessAt);
  const nextRuns = envs.flatMap((e) => (e.nextRunAt ? [e.nextRunAt] : [])).sort();
  const status: EnvironmentStatus | null = envs[0]?.status ?? null;
  return {
    projectId: project.id,
    name: project.name,
    description: project.description,
    status,
    severity: status === null ? ENVIRONMENT_STATUSES.length : severityOf(status),
    environments: envs,
    lastSuccessAt: successes.length === 0 || successes.includes(null) ? null : successes.sort()[0]!,
    lastFailure: failing?.lastFailure ? { environmentId: failing.environmentId, environmentName: failing.name, ...failing.lastFailure } : null,
    nextRunAt: nextRuns[0] ?? null,
    storedBytes: sizes.backupBytes + (sizes.filestores?.storedBytes ?? 0),
    dedupSavedBytes: sizes.filestores?.savedBytes ?? 0,
    compliance: { compliant, enabled: enabled.length, percent: enabled.length === 0 ? null : Math.floor((compliant * 1000) / enabled.length) / 10 },
  };
}

/** Worst client first: its worst status, then how many environments share it, then its stalest success, then name. */
function byUrgency(a: ProjectHealth, b: ProjectHealth) {
  const atWorst = (p: ProjectHealth) => p.environments.filter((e) => e.status === p.status).length;
  const stalest = (p: ProjectHealth) => p.environments.filter((e) => e.status === p.status).reduce((min, e) => Math.min(min, time(e.lastSuccessAt)), Infinity);
  return a.severity - b.severity || atWorst(b) - atWorst(a) || Math.sign(stalest(a) - stalest(b)) || collator.compare(a.name, b.name);
}

/**
 * Each client's health at a glance: per project of the caller's organization, its environments with their status
 * (compliance as the dashboard judges it), last success, last failure, next run and stored size, and the project's
 * worst status; worst client first. Six queries whatever the fleet's size (policies are cached while unchanged).
 */
export async function getFleetHealth(db: DbOrTx, actor: Principal, input: z.infer<typeof fleetHealthInput>, now: Date = new Date()): Promise<FleetHealth> {
  const [projects, policies, runs, facts, envFilestores, projectFilestores] = await Promise.all([
    fleetProjects(db, actor.orgId, input.projectId),
    loadEnvironmentPolicies(db, { orgId: actor.orgId }),
    environmentRuns(db, actor.orgId),
    environmentFacts(db, actor.orgId, input.projectId),
    filestoreUsageBy(db, actor.orgId, "environment", input.projectId),
    filestoreUsageBy(db, actor.orgId, "project", input.projectId),
  ]);
  const backupBytes = new Map<string, number>();
  if (input.projectId && projects.length === 0) throw new NotFoundError("Project");
  const policyOf = new Map(policies.map((p) => [p.environmentId, p]));
  const windows: WindowCache = new Map();
  const perProject = new Map<string, EnvironmentHealthItem[]>(projects.map((p) => [p.id, []]));
  for (const fact of facts) {
    const env = policyOf.get(fact.environmentId);
    const list = perProject.get(fact.projectId);
    if (!env || !list) continue;
    const envRuns = runs.get(fact.environmentId);
    const health = environmentHealth(env, envRuns, now, windows);
    list.push({
      environmentId: fact.environmentId,
      name: fact.name,
      stage: fact.stage,
      status: health.status,
      reason: health.reason,
      lastSuccessAt: envRuns?.lastSuccessAt?.toISOString() ?? null,
      lastRunAt: envRuns?.lastRun?.finishedAt?.toISOString() ?? null,
      lastFailure: fact.lastFailure ? { backupId: fact.lastFailure.backupId, message: oneLine(fact.lastFailure.error ?? "No error was recorded") } : null,
      activeBackup: fact.activeBackup,
      nextRunAt: health.nextRunAt?.toISOString() ?? null,
      storedBytes: fact.storedBytes + (envFilestores.get(fact.environmentId)?.storedBytes ?? 0),
    });
    backupBytes.set(fact.projectId, (backupBytes.get(fact.projectId) ?? 0) + fact.storedBytes);
  }
  return {
    projects: projects.map((p) => summarize(p, perProject.get(p.id)!, { backupBytes: backupBytes.get(p.id) ?? 0, filestores: projectFilestores.get(p.id) })).sort(byUrgency),
  };
}
