"use client";

import { CalendarClock, ChevronRight } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
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

type Upcoming = Dashboard["upcoming"][number];

/** Runs at the same instant, in the order given (soonest first). */
function groupByTime(upcoming: Upcoming[]): Upcoming[][] {
  const groups: Upcoming[][] = [];
  for (const run of upcoming) {
    const last = groups.at(-1);
    if (last && last[0]!.at === run.at) last.push(run);
    else groups.push([run]);
  }
  return groups;
}

function RunLink({ run }: { run: Upcoming }) {
  return (
    <>
      <Link href={`/projects/${run.projectId}`} className="font-medium text-slate-900 hover:text-brand-700">
        {run.projectName}
      </Link>
      <span className="text-slate-400"> / </span>
      <Link href={`/projects/${run.projectId}/environments/${run.environmentId}`} className="text-slate-700 hover:text-brand-700">
        {run.environmentName}
      </Link>
    </>
  );
}

function When({ iso }: { iso: string }) {
  return (
    <p className="shrink-0 text-sm whitespace-nowrap text-slate-700 tabular-nums" title={formatDateTime(iso)}>
      {at(iso)}
      <span className="ml-1.5 text-xs text-slate-500">{formatUntil(iso)}</span>
    </p>
  );
}

/**
 * Environments starting at one instant, as one row ("Mon 02:00 · 10 environments") that expands to name them. `total`
 * is how many start then in all (from the window it opens), when more than the list holds.
 */
function RunGroup({ runs, total }: { runs: Upcoming[]; total: number }) {
  const [open, setOpen] = useState(false);
  const first = runs[0]!;
  return (
    <li className="px-5 py-2">
      <div className="flex items-center justify-between gap-3">
        <button type="button" className="flex min-w-0 items-center gap-1 text-left text-sm font-medium text-slate-900 hover:text-brand-700" aria-expanded={open} onClick={() => setOpen(!open)}>
          <ChevronRight className={`size-4 shrink-0 text-slate-400 transition-transform ${open ? "rotate-90" : ""}`} aria-hidden />
          {at(first.at)} · {total} environments
        </button>
        <span className="shrink-0 text-xs whitespace-nowrap text-slate-500" title={formatDateTime(first.at)}>
          {formatUntil(first.at)}
        </span>
      </div>
      {open && (
        <ul className="mt-1.5 space-y-1 pl-5 text-sm">
          {runs.map((run) => (
            <li key={run.environmentId} className="break-words">
              <RunLink run={run} />
            </li>
          ))}
          {total > runs.length && <li className="text-xs text-slate-500">and {total - runs.length} more</li>}
        </ul>
      )}
    </li>
  );
}

/** The next scheduled backups of environments with backups enabled: the next windows, then the soonest starts, runs at one instant grouped. */
export function UpcomingRuns({ upcoming, windows }: { upcoming: Dashboard["upcoming"]; windows: Dashboard["upcomingWindows"] }) {
  // A window without a spread starts all its environments at its opening: that count is the group's full size.
  const atOnce = new Map(windows.filter((w) => w.spreadMinutes === 0).map((w) => [Date.parse(w.start), w.environments]));
  return (
    <Card title="Next scheduled backups" description="From each environment's effective policy." padded={false}>
      {windows.length > 0 && <UpcomingWindows windows={windows} />}
      {upcoming.length === 0 ? (
        <EmptyState icon={<CalendarClock className="size-6" />} title="Nothing scheduled">
          Scheduled backups appear here once an environment has backups enabled.
        </EmptyState>
      ) : (
        <ul className="divide-y divide-slate-100" aria-label="Next runs">
          {groupByTime(upcoming).map((runs) =>
            runs.length > 1 ? (
              <RunGroup key={runs[0]!.at} runs={runs} total={Math.max(runs.length, atOnce.get(Date.parse(runs[0]!.at)) ?? 0)} />
            ) : (
              <li key={`${runs[0]!.environmentId}@${runs[0]!.at}`} className="flex items-center justify-between gap-3 px-5 py-2">
                <p className="min-w-0 text-sm break-words">
                  <RunLink run={runs[0]!} />
                </p>
                <When iso={runs[0]!.at} />
              </li>
            ),
          )}
        </ul>
      )}
    </Card>
  );
}
