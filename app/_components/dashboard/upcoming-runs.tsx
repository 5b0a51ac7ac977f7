import { CalendarClock } from "lucide-react";
import Link from "next/link";
import { Card, EmptyState } from "@/app/_components/ui/layout";
import { formatDateTime, formatUntil } from "@/app/_lib/format";
import type { Dashboard } from "./types";

const at = (iso: string) => new Date(iso).toLocaleString(undefined, { weekday: "short", hour: "2-digit", minute: "2-digit" });
const time = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });

/** The next window of each schedule: when it opens (and closes, with a start window) and how many environments start in it. */
function UpcomingWindows({ windows }: { windows: Dashboard["upcomingWindows"] }) {
  return (
    <ul aria-label="Next windows" className="divide-y divide-slate-100 border-b border-slate-200 bg-slate-50/60">
      {windows.map((w) => (
        <li key={`${w.schedule}@${w.timezone}@${w.spreadMinutes}`} className="px-5 py-2 text-sm" title={`${w.schedule} (${w.timezone})`}>
          <p className="flex items-baseline justify-between gap-3 whitespace-nowrap tabular-nums">
            <span className="font-medium text-slate-900">{w.spreadMinutes > 0 ? `${at(w.start)} – ${time(w.end)}` : at(w.start)}</span>
            <span className="text-xs text-slate-500">{formatUntil(w.start)}</span>
          </p>
          <p className="text-slate-600">
            {w.environments} environment{w.environments === 1 ? "" : "s"}, {w.spreadMinutes > 0 ? "each at its own moment of the window" : "all at once"}
          </p>
        </li>
      ))}
    </ul>
  );
}

/** The next scheduled backups of environments with backups enabled: the next windows, then the soonest starts. */
export function UpcomingRuns({ upcoming, windows }: { upcoming: Dashboard["upcoming"]; windows: Dashboard["upcomingWindows"] }) {
  return (
    <Card title="Next scheduled backups" description="From each environment's effective policy." padded={false}>
      {windows.length > 0 && <UpcomingWindows windows={windows} />}
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
                {at(u.at)}
                <span className="ml-1.5 text-xs text-slate-500">{formatUntil(u.at)}</span>
              </p>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
