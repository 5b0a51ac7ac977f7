import { ShieldCheck } from "lucide-react";
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
  return (
    <div id="needs-attention" className={`scroll-mt-6 ${className}`}>
    <Card title="Needs attention" description={description} className="h-full" padded={false}>
      {nonCompliant.length === 0 ? (
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
    </Card>
    </div>
  );
}
