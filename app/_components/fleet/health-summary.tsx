"use client";

import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { QueryState } from "@/app/_components/ui/query-state";
import { useConsoleSession } from "@/app/_lib/console-context";
import { DEDUP_EXPLAINED } from "@/app/_lib/dedup";
import { formatBytes, formatDateTime, formatRelative, formatUntil } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import { BackupNowButton } from "./backup-now-button";
import { OpenLogButton } from "./backup-log";
import { environmentReason } from "./reason";
import { StatusBadge } from "./status";
import type { EnvironmentHealth, ProjectHealth } from "./types";

const FOLLOW_MS = 2000;
const REFRESH_MS = 60_000;

function Figure({ label, children, title }: { label: string; children: ReactNode; title?: string }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium tracking-wide text-slate-500 uppercase">{label}</dt>
      <dd className="mt-0.5 text-sm whitespace-nowrap text-slate-900 tabular-nums" title={title}>
        {children}
      </dd>
    </div>
  );
}

function Figures({ status, lastSuccessAt, nextRunAt, storedBytes, extra }: { status: ReactNode; lastSuccessAt: string | null; nextRunAt: string | null; storedBytes: number; extra?: ReactNode }) {
  return (
    <dl className="flex flex-wrap items-start gap-x-8 gap-y-3">
      <Figure label="Status">{status}</Figure>
      <Figure label="Last success" title={lastSuccessAt ? formatDateTime(lastSuccessAt) : undefined}>
        {formatRelative(lastSuccessAt)}
      </Figure>
      <Figure label="Next run" title={nextRunAt ? formatDateTime(nextRunAt) : undefined}>
        {nextRunAt ? formatUntil(nextRunAt) : "Not scheduled"}
      </Figure>
      <Figure label="Stored">{formatBytes(storedBytes)}</Figure>
      {extra}
    </dl>
  );
}

function ProjectFigures({ project }: { project: ProjectHealth }) {
  const worst = project.environments[0];
  const reason = worst ? environmentReason(worst) : null;
  const { compliance } = project;
  return (
    <>
      <Figures
        status={<StatusBadge status={project.status} />}
        lastSuccessAt={project.lastSuccessAt}
        nextRunAt={project.nextRunAt}
        storedBytes={project.storedBytes}
        extra={
          <>
            <Figure label="Compliance" title="Environments with backups enabled that have a recent successful backup">
              {compliance.percent === null ? "—" : `${compliance.compliant} of ${compliance.enabled} · ${compliance.percent}%`}
            </Figure>
            {project.dedupSavedBytes > 0 && (
              <Figure label="Deduplication saved" title={DEDUP_EXPLAINED}>
                {formatBytes(project.dedupSavedBytes)}
              </Figure>
            )}
          </>
        }
      />
      {worst && reason && worst.status !== "disabled" && <Reason env={worst} text={`${worst.name}: ${reason}`} />}
    </>
  );
}

function Reason({ env, text }: { env: EnvironmentHealth; text: string }) {
  const { can } = useConsoleSession();
  const failing = env.status === "failing";
  return (
    <div className="mt-3 flex flex-wrap items-center justify-between gap-2 border-t border-slate-100 pt-3">
      <p className={`min-w-0 flex-1 text-sm break-words ${failing ? "text-red-700" : "text-slate-600"}`}>{text}</p>
      <div className="flex items-center gap-1.5">
        {failing && env.lastFailure && <OpenLogButton backupId={env.lastFailure.backupId} title={`Failed backup of ${env.name}`} />}
        {can("operator") && <BackupNowButton target={{ environmentId: env.environmentId, environmentName: env.name, failed: failing, lastRunAt: env.lastRunAt, active: env.activeBackup?.status ?? null }} />}
      </div>
    </div>
  );
}

function EnvironmentFigures({ env }: { env: EnvironmentHealth }) {
  const reason = environmentReason(env);
  return (
    <>
      <Figures status={<StatusBadge status={env.status} />} lastSuccessAt={env.lastSuccessAt} nextRunAt={env.nextRunAt} storedBytes={env.storedBytes} />
      {reason && env.status !== "disabled" && <Reason env={env} text={reason} />}
    </>
  );
}

/**
 * The health line at the top of a project (its worst environment's status, stalest success, next run, stored size,
 * compliance) or of one of its environments: the same figures as the Projects table, with the action a problem calls for.
 */
export function HealthSummary({ projectId, environmentId }: { projectId: string; environmentId?: string }) {
  const trpc = useTRPC();
  const health = useQuery(
    trpc.fleet.health.queryOptions({ projectId }, { refetchInterval: (q) => (q.state.data?.projects.some((p) => p.environments.some((e) => e.activeBackup)) ? FOLLOW_MS : REFRESH_MS) }),
  );
  const project = health.data?.projects[0];
  const env = environmentId ? project?.environments.find((e) => e.environmentId === environmentId) : undefined;
  // An archived environment or a project without environments has no health to show.
  if (health.isSuccess && (!project || project.environments.length === 0 || (environmentId && !env))) return null;
  return (
    <section aria-label="Backup health" className="mb-6 rounded-lg bg-white px-5 py-4 shadow-xs ring-1 ring-slate-200">
      <QueryState query={health} what="the backup health" loading={<p className="h-10 text-sm text-slate-400" aria-busy="true">Loading the backup health…</p>}>
        {() => (env ? <EnvironmentFigures env={env} /> : <ProjectFigures project={project!} />)}
      </QueryState>
    </section>
  );
}
