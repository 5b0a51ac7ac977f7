import { FlaskConical, ShieldCheck } from "lucide-react";
import Link from "next/link";
import { Card, EmptyState, Table, Td, Th } from "@/app/_components/ui/layout";
import { formatDateTime, formatRelative } from "@/app/_lib/format";
import { FailedCopies } from "./failed-copies";
import { ReasonBadge } from "./reason-badge";
import type { Dashboard } from "./types";

/** The environments with backups enabled that are not compliant, most urgent first, each with why; then the failed second copies. */
export function NonCompliantList({ dashboard, className = "" }: { dashboard: Dashboard; className?: string }) {
  const { nonCompliant, nonCompliantTotal, compliance } = dashboard;
  const description =
    nonCompliantTotal === 0
      ? "Environments with backups enabled but no recent successful backup."
      : nonCompliantTotal > nonCompliant.length
        ? `The ${nonCompliant.length} most urgent of ${nonCompliantTotal} environments without a recent successful backup.`
        : `${nonCompliantTotal} ${nonCompliantTotal === 1 ? "environment has" : "environments have"} backups enabled but no recent successful backup.`;
  const drills = dashboard.failedDrills.length;
  const withDrills = drills === 0 ? description : `${description} Below, ${drills === 1 ? "an environment whose" : `${drills} environments whose`} latest restore drill failed.`;
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
        <div className="max-h-[26rem] overflow-y-auto">
          <Table>
            <thead className="sticky top-0">
              <tr>
                <Th>Environment</Th>
                <Th>Reason</Th>
                <Th>Last success</Th>
                <Th>Last backup</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {nonCompliant.map((e) => (
                <tr key={e.environmentId}>
                  <Td>
                    <Link href={`/projects/${e.projectId}/environments/${e.environmentId}`} className="font-medium text-slate-900 hover:text-brand-700">
                      {e.environmentName}
                    </Link>
                    <p className="text-xs text-slate-500">{e.projectName}</p>
                  </Td>
                  <Td>
                    <ReasonBadge reason={e.reason} />
                  </Td>
                  <Td className="whitespace-nowrap text-slate-600">
                    <span title={e.lastSuccessAt ? formatDateTime(e.lastSuccessAt) : undefined}>{formatRelative(e.lastSuccessAt)}</span>
                  </Td>
                  <Td className="whitespace-nowrap text-slate-600">
                    <span title={e.lastBackupAt ? formatDateTime(e.lastBackupAt) : undefined}>{formatRelative(e.lastBackupAt)}</span>
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        </div>
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
