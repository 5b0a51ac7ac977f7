import { AlarmClock } from "lucide-react";
import Link from "next/link";
import { Badge, Card, type Tone } from "@/app/_components/ui/layout";
import { formatDateTime, formatRelative } from "@/app/_lib/format";
import type { Dashboard } from "./types";

type OverdueReason = Dashboard["overdue"][number]["reason"];

const REASONS: Record<OverdueReason, { label: string; tone: Tone }> = {
  no_worker: { label: "No worker", tone: "danger" },
  failing: { label: "Failing", tone: "danger" },
  never_ran: { label: "Never ran", tone: "warning" },
};

/** Environments whose window passed without a successful backup (each was told once, as "overdue"), with why. */
export function OverdueList({ dashboard }: { dashboard: Dashboard }) {
  const { overdue, overdueTotal } = dashboard;
  if (overdueTotal === 0) return null;
  const description =
    overdueTotal > overdue.length
      ? `The ${overdue.length} longest overdue of ${overdueTotal} environments whose window passed without a successful backup.`
      : `${overdueTotal} ${overdueTotal === 1 ? "environment's window" : "environments' windows"} passed without a successful backup; the channels of their policy were told.`;
  return (
    <Card title="Overdue backups" description={description} className="mt-6" padded={false}>
      <ul className="max-h-[20rem] divide-y divide-slate-100 overflow-y-auto" data-testid="overdue-list">
        {overdue.map((o) => (
          <li key={o.environmentId} className="flex items-start gap-3 px-5 py-3">
            <AlarmClock className="mt-0.5 size-4 shrink-0 text-red-600" aria-hidden />
            <div className="min-w-0 flex-1">
              <div className="flex flex-wrap items-baseline justify-between gap-2">
                <Link href={`/projects/${o.projectId}/environments/${o.environmentId}`} className="font-medium text-slate-900 hover:text-brand-700">
                  {o.projectName} / {o.environmentName}
                </Link>
                <Badge tone={REASONS[o.reason].tone}>{REASONS[o.reason].label}</Badge>
              </div>
              <p className="mt-0.5 text-xs text-slate-600">{o.detail}</p>
              <p className="mt-0.5 text-xs text-slate-500">
                Due <span title={formatDateTime(o.slot)}>{formatRelative(o.slot)}</span>
              </p>
            </div>
          </li>
        ))}
      </ul>
    </Card>
  );
}
