"use client";

import { FlaskConical, ShieldCheck } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { BackupNowButton } from "@/app/_components/fleet/backup-now-button";
import { OpenLogButton } from "@/app/_components/fleet/backup-log";
import { Badge, Card, EmptyState, Table, Td, TableHead } from "@/app/_components/ui/layout";
import { useConsoleSession } from "@/app/_lib/console-context";
import { formatDateTime, formatRelative, formatUntil } from "@/app/_lib/format";
import { FailedCopies } from "./failed-copies";
import { ReasonBadge } from "./reason-badge";
import type { Dashboard, NonCompliantEnvironment } from "./types";

/** Rows shown before "Show all": enough to see the worst without pushing the rest of the dashboard away. */
const FIRST_ROWS = 6;

/** Why, in words: the failed run's message, how stale the last success is, or when the first run comes. */
function Detail({ e }: { e: NonCompliantEnvironment }) {
  if (e.firstRunAt) return null;
  const text = e.detail ?? (e.reason === "overdue" ? `Last successful backup ${formatRelative(e.lastSuccessAt)}` : e.reason === "no_backup_yet" ? "Its scheduled backup has not run yet" : null);
  if (!text) return null;
  return (
    <p className={`mt-1 line-clamp-2 max-w-md text-xs break-words ${e.detail ? "text-red-700" : "text-slate-600"}`} title={text}>
      {text}
    </p>
  );
}

function AttentionRow({ e }: { e: NonCompliantEnvironment }) {
  const { can } = useConsoleSession();
  const failed = e.failedBackupId !== null;
  return (
    <tr className="align-top">
      <Td>
        <Link href={`/projects/${e.projectId}`} className="font-medium break-words text-slate-900 hover:text-brand-700">
          {e.projectName}
        </Link>
        <span className="text-slate-400"> / </span>
        <Link href={`/projects/${e.projectId}/environments/${e.environmentId}`} className="break-words text-slate-700 hover:text-brand-700">
          {e.environmentName}
        </Link>
      </Td>
      <Td>
        {e.firstRunAt ? (
          <span title={`No backup yet: its first scheduled run is at ${formatDateTime(e.firstRunAt)}`}>
            <Badge tone="neutral">First backup scheduled {formatUntil(e.firstRunAt)}</Badge>
          </span>
        ) : (
          <ReasonBadge reason={e.reason} />
        )}
        <Detail e={e} />
      </Td>
      <Td className="whitespace-nowrap text-slate-600">
        <span title={e.lastSuccessAt ? formatDateTime(e.lastSuccessAt) : undefined}>{formatRelative(e.lastSuccessAt)}</span>
      </Td>
      <Td className="text-right">
        <div className="flex flex-wrap items-start justify-end gap-1.5">
          {can("operator") && !e.firstRunAt && <BackupNowButton target={{ environmentId: e.environmentId, environmentName: e.environmentName, failed, lastRunAt: e.lastBackupAt }} />}
          {e.failedBackupId && <OpenLogButton backupId={e.failedBackupId} title={`Failed backup of ${e.projectName} / ${e.environmentName}`} />}
        </div>
      </Td>
    </tr>
  );
}

/** The environments with backups enabled that are not compliant, most urgent first, each with why and what to do; then the failed second copies. */
export function NonCompliantList({ dashboard, className = "" }: { dashboard: Dashboard; className?: string }) {
  const { nonCompliant, nonCompliantTotal, compliance, awaitingFirstRun } = dashboard;
  const [all, setAll] = useState(false);
  const failing = nonCompliantTotal - awaitingFirstRun;
  const description =
    nonCompliantTotal === 0
      ? "Environments with backups enabled but no recent successful backup."
      : [
          failing > 0 && `${failing} ${failing === 1 ? "environment has" : "environments have"} backups enabled but no recent successful backup.`,
          awaitingFirstRun > 0 && `${awaitingFirstRun} new ${awaitingFirstRun === 1 ? "environment awaits its" : "environments await their"} first scheduled backup.`,
          nonCompliantTotal > nonCompliant.length && `The ${nonCompliant.length} most urgent are listed.`,
        ]
          .filter(Boolean)
          .join(" ");
  const drills = dashboard.failedDrills.length;
  const withDrills = drills === 0 ? description : `${description} Below, ${drills === 1 ? "an environment whose" : `${drills} environments whose`} latest restore drill failed.`;
  const rows = all ? nonCompliant : nonCompliant.slice(0, FIRST_ROWS);
  return (
    <div id="needs-attention" className={`scroll-mt-6 ${className}`}>
      <Card title="Needs attention" description={withDrills} className="h-full" padded={false}>
        {nonCompliant.length === 0 && dashboard.failedDrills.length > 0 ? (
          <p className="flex items-center gap-2 px-5 py-4 text-sm text-slate-600">
            <ShieldCheck className="size-4 text-emerald-600" aria-hidden />
            {compliance.enabled === 0 ? "No environment has backups enabled." : "Every environment with backups enabled has a recent successful backup."}
          </p>
        ) : nonCompliant.length === 0 ? (
          <EmptyState icon={<ShieldCheck className="size-6" />} title={compliance.enabled === 0 ? "Nothing to check yet" : "Every environment is protected"}>
            {compliance.enabled === 0
              ? "Compliance counts the environments with backups enabled."
              : "Each environment with backups enabled has a successful backup within its schedule's interval plus one hour."}
          </EmptyState>
        ) : (
          <>
            <Table>
              <TableHead labels={["Client / environment", "Reason", "Last success"]} actions />
              <tbody className="divide-y divide-slate-100">
                {rows.map((e) => (
                  <AttentionRow key={e.environmentId} e={e} />
                ))}
              </tbody>
            </Table>
            {nonCompliant.length > FIRST_ROWS && (
              <div className="border-t border-slate-100 px-5 py-2.5">
                <button type="button" className="text-sm font-medium text-brand-700 hover:underline" aria-expanded={all} onClick={() => setAll(!all)}>
                  {all ? "Show fewer" : `Show all (${nonCompliant.length})`}
                </button>
              </div>
            )}
          </>
        )}
        <FailedCopies dashboard={dashboard} />
        <FailedDrills dashboard={dashboard} />
      </Card>
    </div>
  );
}

/** Environments whose latest restore drill failed: their backups may not restore, whatever their checksums say. */
function FailedDrills({ dashboard }: { dashboard: Dashboard }) {
  const { failedDrills } = dashboard;
  if (failedDrills.length === 0) return null;
  return (
    <div className="border-t border-slate-200" data-testid="failed-drills">
      <p className="flex items-center gap-1.5 px-5 pt-4 pb-2 text-sm font-medium text-red-700">
        <FlaskConical className="size-4" aria-hidden /> Failed restore drills
      </p>
      <ul className="divide-y divide-slate-100">
        {failedDrills.map((d) => (
          <li key={d.environmentId} className="px-5 py-2.5">
            <div className="flex items-baseline justify-between gap-3">
              <Link href={`/projects/${d.projectId}/environments/${d.environmentId}`} className="font-medium text-slate-900 hover:text-brand-700">
                {d.projectName} / {d.environmentName}
              </Link>
              <span className="shrink-0 text-xs text-slate-500" title={formatDateTime(d.finishedAt)}>
                {formatRelative(d.finishedAt)}
              </span>
            </div>
            {d.error && <p className="mt-0.5 line-clamp-2 text-xs text-red-600">{d.error}</p>}
          </li>
        ))}
      </ul>
    </div>
  );
}
