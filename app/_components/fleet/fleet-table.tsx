"use client";

import { ArrowDown, ArrowUp, ChevronRight } from "lucide-react";
import Link from "next/link";
import { useState, type ReactNode } from "react";
import { useConsoleSession } from "@/app/_lib/console-context";
import { formatBytes, formatDateTime, formatRelative, formatUntil, STAGE_LABEL } from "@/app/_lib/format";
import { BackupNowButton } from "./backup-now-button";
import { OpenLogButton } from "./backup-log";
import { sortProjects, type Sort, type SortKey } from "./fleet-sort";
import { environmentReason } from "./reason";
import { StatusBadge, StatusDots } from "./status";
import type { EnvironmentHealth, ProjectHealth } from "./types";

const PROBLEMS = new Set(["failing", "overdue", "never_ran"]);

/** A cell's column name, shown only where rows stack (narrow screens), since the header row is hidden there. */
function Label({ children }: { children: ReactNode }) {
  return <span className="mb-0.5 block text-xs font-medium text-slate-500 md:hidden">{children}</span>;
}

const cell = "px-3 py-3 align-top max-md:p-0";

/** Environments ticked for an action on several at once (across clients); absent where the table offers none. */
export type FleetSelection = { selected: ReadonlySet<string>; onToggle: (environmentId: string, on: boolean) => void };

function When({ iso, future }: { iso: string | null; future?: boolean }) {
  if (!iso) return <span className="text-slate-400">{future ? "—" : "never"}</span>;
  return <span title={formatDateTime(iso)}>{future ? formatUntil(iso) : formatRelative(iso)}</span>;
}

function SortHeader({ id, label, sort, onSort, className = "" }: { id: SortKey; label: string; sort: Sort; onSort: (key: SortKey) => void; className?: string }) {
  const active = sort.key === id;
  const Arrow = sort.descending ? ArrowUp : ArrowDown;
  return (
    <th scope="col" aria-sort={active ? (sort.descending ? "descending" : "ascending") : undefined} className={`bg-slate-50 px-3 py-2.5 text-left text-xs font-semibold tracking-wide whitespace-nowrap text-slate-500 uppercase ${className}`}>
      <button type="button" onClick={() => onSort(id)} className={`inline-flex items-center gap-1 uppercase hover:text-slate-900 ${active ? "text-slate-900" : ""}`}>
        {label}
        {active && <Arrow className="size-3" aria-hidden />}
      </button>
    </th>
  );
}

/** What to do about one environment: back it up (or retry it) and read the failed run's log. */
function EnvironmentActions({ env, always }: { env: EnvironmentHealth; always: boolean }) {
  const { can } = useConsoleSession();
  const failed = env.status === "failing";
  const act = can("operator") && env.status !== "disabled" && (always || PROBLEMS.has(env.status) || env.activeBackup !== null);
  return (
    <div className="flex flex-wrap items-start justify-end gap-1.5 max-md:justify-start">
      {act && <BackupNowButton target={{ environmentId: env.environmentId, environmentName: env.name, failed, lastRunAt: env.lastRunAt, active: env.activeBackup?.status ?? null }} />}
      {failed && env.lastFailure && <OpenLogButton backupId={env.lastFailure.backupId} title={`Failed backup of ${env.name}`} />}
    </div>
  );
}

function EnvironmentRow({ projectId, env, selection }: { projectId: string; env: EnvironmentHealth; selection: FleetSelection | undefined }) {
  const reason = environmentReason(env);
  return (
    <tr className="bg-slate-50/60 max-md:grid max-md:grid-cols-2 max-md:gap-x-4 max-md:gap-y-2 max-md:px-4 max-md:py-3 max-md:pl-8">
      <td className={`${cell} pl-10 max-md:col-span-2`}>
        <div className="flex items-start gap-2">
          {selection && (
            <input
              type="checkbox"
              aria-label={`Select ${env.name}`}
              className="mt-0.5 size-4 shrink-0 rounded border-slate-300 text-brand-600 focus:ring-brand-500"
              checked={selection.selected.has(env.environmentId)}
              onChange={(event) => selection.onToggle(env.environmentId, event.target.checked)}
            />
          )}
          <div className="min-w-0">
            <Link href={`/projects/${projectId}/environments/${env.environmentId}`} className="font-medium break-words text-slate-900 hover:text-brand-700">
              {env.name}
            </Link>
            <p className="text-xs text-slate-500">{STAGE_LABEL[env.stage] ?? env.stage}</p>
          </div>
        </div>
      </td>
      <td className={`${cell} max-md:col-span-2`}>
        <StatusBadge status={env.status} />
        {reason && (
          <p className={`mt-1 line-clamp-3 max-w-xs text-xs break-words ${env.status === "failing" ? "text-red-700" : "text-slate-600"}`} title={reason}>
            {reason}
          </p>
        )}
      </td>
      <td className={`${cell} whitespace-nowrap text-slate-600`}>
        <Label>Last success</Label>
        <When iso={env.lastSuccessAt} />
      </td>
      <td className={`${cell} whitespace-nowrap text-slate-600`}>
        <Label>Next run</Label>
        <When iso={env.nextRunAt} future />
      </td>
      <td className={`${cell} whitespace-nowrap text-slate-600 tabular-nums`}>
        <Label>Size</Label>
        {formatBytes(env.storedBytes)}
      </td>
      <td className={`${cell} max-md:hidden`} />
      <td className={`${cell} text-right max-md:col-span-2`}>
        <EnvironmentActions env={env} always />
      </td>
    </tr>
  );
}

function ProjectRows({ project, expanded, onToggle, selection }: { project: ProjectHealth; expanded: boolean; onToggle: () => void; selection: FleetSelection | undefined }) {
  const worst = project.environments[0];
  const reason = worst ? environmentReason(worst) : null;
  const { compliance } = project;
  return (
    <>
      <tr className="max-md:grid max-md:grid-cols-2 max-md:gap-x-4 max-md:gap-y-2 max-md:p-4" data-testid="fleet-row">
        <td className={`${cell} max-md:col-span-2`}>
          <div className="flex items-start gap-1.5">
            <button
              type="button"
              onClick={onToggle}
              disabled={project.environments.length === 0}
              aria-expanded={expanded}
              aria-label={`${expanded ? "Hide" : "Show"} the environments of ${project.name}`}
              className="mt-0.5 rounded p-0.5 text-slate-400 hover:bg-slate-100 hover:text-slate-700 disabled:invisible"
            >
              <ChevronRight className={`size-4 transition-transform ${expanded ? "rotate-90" : ""}`} aria-hidden />
            </button>
            <div className="min-w-0">
              <Link href={`/projects/${project.projectId}`} className="font-medium break-words text-slate-900 hover:text-brand-700" title={project.description || project.name}>
                {project.name}
              </Link>
              <div className="mt-1 flex items-center gap-2">
                <StatusDots environments={project.environments} />
                <span className="text-xs text-slate-500">
                  {project.environments.length} {project.environments.length === 1 ? "environment" : "environments"}
                </span>
              </div>
            </div>
          </div>
        </td>
        <td className={`${cell} max-md:col-span-2 md:min-w-52`}>
          <StatusBadge status={project.status} />
          {worst && reason && (
            <p className={`mt-1 line-clamp-3 max-w-xs text-xs break-words ${worst.status === "failing" ? "text-red-700" : "text-slate-600"}`} title={`${worst.name}: ${reason}`}>
              {/* Which environment, when the client has more than one. */}
              {project.environments.length > 1 && <span className="font-medium">{worst.name}: </span>}
              {reason}
            </p>
          )}
        </td>
        <td className={`${cell} whitespace-nowrap text-slate-600`}>
          <Label>Last success</Label>
          {worst ? <When iso={project.lastSuccessAt} /> : "—"}
        </td>
        <td className={`${cell} whitespace-nowrap text-slate-600`}>
          <Label>Next run</Label>
          <When iso={project.nextRunAt} future />
        </td>
        <td className={`${cell} whitespace-nowrap text-slate-600 tabular-nums`}>
          <Label>Size</Label>
          {formatBytes(project.storedBytes)}
        </td>
        <td className={`${cell} whitespace-nowrap text-slate-600 tabular-nums`}>
          <Label>Compliance</Label>
          {compliance.percent === null ? (
            <span className="text-slate-400" title="No environment of this client has backups enabled">—</span>
          ) : (
            <span title={`${compliance.compliant} of ${compliance.enabled} environments with backups enabled have a recent successful backup`}>
              {compliance.compliant}/{compliance.enabled}
              <span className="ml-1 text-xs text-slate-500">{compliance.percent}%</span>
            </span>
          )}
        </td>
        <td className={`${cell} text-right max-md:col-span-2`}>
          {worst && <EnvironmentActions env={worst} always={false} />}
        </td>
      </tr>
      {expanded && project.environments.map((env) => <EnvironmentRow key={env.environmentId} projectId={project.projectId} env={env} selection={selection} />)}
    </>
  );
}

/**
 * The clients' health, worst first by default (sortable by any column): per client its environments as status
 * dots, why the worst one needs attention, last success, next run, size and compliance, and the action the
 * problem calls for; a row expands into its environments, each with its own (and, given a selection, a checkbox).
 */
export function FleetTable({ projects, selection }: { projects: ProjectHealth[]; selection?: FleetSelection }) {
  const [sort, setSort] = useState<Sort>({ key: "status", descending: false });
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const onSort = (key: SortKey) => setSort((s) => ({ key, descending: s.key === key ? !s.descending : false }));
  const toggle = (id: string) =>
    setExpanded((open) => {
      const next = new Set(open);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  return (
    <div className="relative overflow-x-auto">
      <table className="min-w-full text-sm text-slate-700 max-md:block" aria-label="Client health">
        <thead className="max-md:hidden">
          <tr>
            <SortHeader id="name" label="Client" sort={sort} onSort={onSort} className="pl-10" />
            <SortHeader id="status" label="Status" sort={sort} onSort={onSort} />
            <SortHeader id="lastSuccess" label="Last success" sort={sort} onSort={onSort} />
            <SortHeader id="nextRun" label="Next run" sort={sort} onSort={onSort} />
            <SortHeader id="size" label="Size" sort={sort} onSort={onSort} />
            <SortHeader id="compliance" label="Compliance" sort={sort} onSort={onSort} />
            <th scope="col" className="bg-slate-50 px-3 py-2.5">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 max-md:block">
          {sortProjects(projects, sort).map((p) => (
            <ProjectRows key={p.projectId} project={p} expanded={expanded.has(p.projectId)} onToggle={() => toggle(p.projectId)} selection={selection} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
