"use client";

import type { inferRouterOutputs } from "@trpc/server";
import { DataTable, type DataColumn } from "@/app/_components/ui/data-table";
import { ExpandableText } from "@/app/_components/ui/expandable-text";
import { Badge } from "@/app/_components/ui/layout";
import { actionLabel } from "@/app/_lib/action-label";
import { formatDateTime, formatExact, formatRelative } from "@/app/_lib/format";
import { humanizeMessage } from "@/app/_lib/format-message";
import type { AppRouter } from "@/server/api/root";

export type ActivityItem = inferRouterOutputs<AppRouter>["activity"]["list"]["items"][number];

const COLUMNS: DataColumn<ActivityItem>[] = [
  {
    id: "event",
    header: "What",
    priority: 1,
    width: 220,
    cell: (a) => (
      <>
        <p className="font-medium text-slate-900 group-data-[system=true]/row:font-normal group-data-[system=true]/row:text-slate-600">{actionLabel(a.action)}</p>
        {a.message && <ExpandableText text={humanizeMessage(a.message)} className={`text-xs ${a.outcome === "failure" ? "text-red-700" : "text-slate-600"}`} />}
      </>
    ),
  },
  {
    id: "who",
    header: "Who",
    priority: 1,
    width: 200,
    // An email is never cut: it wraps wherever it must.
    cell: (a) => (a.system ? <span className="text-slate-500">Safehold (automatic)</span> : <span className="block [overflow-wrap:anywhere]">{a.actor}</span>),
  },
  {
    id: "time",
    header: "When",
    priority: 1,
    width: 172,
    cell: (a) => (
      <time dateTime={a.createdAt} title={formatExact(a.createdAt)} className="tabular-nums">
        {formatRelative(a.createdAt)}
        <span className="block text-xs whitespace-nowrap text-slate-400">{formatDateTime(a.createdAt)}</span>
      </time>
    ),
  },
  { id: "target", header: "Target", priority: 2, width: 200, cell: (a) => <span className="break-words">{a.targetLabel || "—"}</span> },
  { id: "outcome", header: "Outcome", priority: 3, width: 104, cell: (a) => (a.outcome === "failure" ? <Badge tone="danger">Failed</Badge> : <Badge tone="success">Success</Badge>) },
];

/** The log's rows: failures tinted red, the console's own work quiet (grey, lighter) so people's actions stand out. */
export function ActivityTable({ items }: { items: ActivityItem[] }) {
  return (
    <DataTable
      label="Activity"
      data={items}
      columns={COLUMNS}
      rowKey={(a) => String(a.id)}
      rowLabel={(a) => `${actionLabel(a.action)} ${formatDateTime(a.createdAt)}`}
      rowAttributes={(a) => ({
        className: `group/row ${a.outcome === "failure" ? "bg-red-50/40" : a.system ? "bg-slate-50/60 text-slate-500" : ""}`,
        "data-outcome": a.outcome,
        "data-system": String(a.system),
      })}
    />
  );
}
