"use client";

import { AlarmClock } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { Badge, Card, type Tone } from "@/app/_components/ui/layout";
import { formatDateTime, formatRelative } from "@/app/_lib/format";
import type { Dashboard } from "./types";

type OverdueReason = Dashboard["overdue"][number]["reason"];

/** Rows shown before "Show all", as in Needs attention. */
const FIRST_ROWS = 6;

const REASONS: Record<OverdueReason, { label: string; tone: Tone }> = {
  no_worker: { label: "No worker", tone: "danger" },
  failing: { label: "Failing", tone: "danger" },
  never_ran: { label: "Never ran", tone: "warning" },
};

/** Environments whose window passed without a successful backup (each was told once, as "overdue"), with why. */
export function OverdueList({ dashboard }: { dashboard: Dashboard }) {
  const { overdue, overdueTotal } = dashboard;
  const [all, setAll] = useState(false);
  if (overdueTotal === 0) return null;
  const description =
    overdueTotal > overdue.length
      ? `The ${overdue.length} longest overdue of ${overdueTotal} environments whose window passed without a successful backup.`
      : `${overdueTotal} ${overdueTotal === 1 ? "environment's window" : "environments' windows"} passed without a successful backup; the channels of their policy were told.`;
  return (
    <Card title="Overdue backups" description={description} className="mt-6" padded={false}>
      <ul className="divide-y divide-slate-100" data-testid="overdue-list">
        {(all ? overdue : overdue.slice(0, FIRST_ROWS)).map((o) => (
          <li key={o.environmentId} className="flex items-start gap-3 px-5 py-3">
            <AlarmClock className="mt-0.5 size-4 shrink-0 text-red-600" aria-hidden />
            <div className="min-w-0 flex-1">
              <div className="flex flex-wrap items-baseline justify-between gap-2">
                <p className="min-w-0 break-words">
                  <Link href={`/projects/${o.projectId}`} className="font-medium text-slate-900 hover:text-brand-700">
                    {o.projectName}
                  </Link>
                  <span className="text-slate-400"> / </span>
                  <Link href={`/projects/${o.projectId}/environments/${o.environmentId}`} className="text-slate-700 hover:text-brand-700">
                    {o.environmentName}
                  </Link>
                </p>
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
      {overdue.length > FIRST_ROWS && (
        <div className="border-t border-slate-100 px-5 py-2.5">
          <button type="button" className="text-sm font-medium text-brand-700 hover:underline" aria-expanded={all} onClick={() => setAll(!all)}>
            {all ? "Show fewer" : `Show all (${overdue.length})`}
          </button>
        </div>
      )}
    </Card>
  );
}
