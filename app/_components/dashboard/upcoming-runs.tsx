import { CalendarClock } from "lucide-react";
import Link from "next/link";
import { Card, EmptyState } from "@/app/_components/ui/layout";
import { formatDateTime, formatUntil } from "@/app/_lib/format";
import type { Dashboard } from "./types";

/** The next scheduled backups of environments with backups enabled, soonest first. */
export function UpcomingRuns({ upcoming }: { upcoming: Dashboard["upcoming"] }) {
  return (
    <Card title="Next scheduled backups" description="From each environment's effective policy." padded={false}>
      {upcoming.length === 0 ? (
        <EmptyState icon={<CalendarClock className="size-6" />} title="Nothing scheduled">
          Scheduled backups appear here once an environment has backups enabled.
        </EmptyState>
      ) : (
        <ul className="divide-y divide-slate-100">
          {upcoming.map((u) => (
            <li key={`${u.environmentId}@${u.at}`} className="flex items-center justify-between gap-3 px-5 py-2">
              <p className="min-w-0 truncate text-sm">
                <Link href={`/projects/${u.projectId}/environments/${u.environmentId}`} className="font-medium text-slate-900 hover:text-brand-700">
                  {u.environmentName}
                </Link>{" "}
                <span className="text-slate-500">· {u.projectName}</span>
              </p>
              <p className="shrink-0 text-sm whitespace-nowrap text-slate-700 tabular-nums" title={formatDateTime(u.at)}>
                {new Date(u.at).toLocaleString(undefined, { weekday: "short", hour: "2-digit", minute: "2-digit" })}
                <span className="ml-1.5 text-xs text-slate-500">{formatUntil(u.at)}</span>
              </p>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
