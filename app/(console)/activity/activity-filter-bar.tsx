"use client";

import { useQuery } from "@tanstack/react-query";
import { FileDown, X } from "lucide-react";
import { useState } from "react";
import { Button } from "@/app/_components/ui/button";
import { Select } from "@/app/_components/ui/field";
import { DateRangeFilter } from "@/app/_components/filters/date-range-filter";
import { ProjectEnvironmentFilter, useProjectEnvironmentChoices } from "@/app/_components/filters/project-environment-filter";
import { QueryError } from "@/app/_components/ui/query-state";
import { SearchBox } from "@/app/_components/ui/search-box";
import { actionLabel } from "@/app/_lib/action-label";
import { useTRPC } from "@/app/_lib/trpc";
import { WHO, type useActivityFilters } from "./use-activity-filters";

const CONTROL = "w-auto! min-w-0 max-w-full";
const WHO_LABEL = { people: "People", system: "System", all: "All" } as const;
const WHO_HINT = {
  people: "What members did, in the console, over their API tokens, and the runs they asked for",
  system: "What Safehold did on its own: scheduled backups, retention, recovery of stopped runs",
  all: "Everything, the console's own work shown quietly",
} as const;

type Props = Pick<ReturnType<typeof useActivityFilters>, "filters" | "update" | "filtered" | "clear" | "csvHref">;

/** Who (people / system / all), outcome, project, environment, action, member, dates and text; every change goes to the URL. */
export function ActivityFilterBar({ filters, update, filtered, clear, csvHref }: Props) {
  const trpc = useTRPC();
  const facets = useQuery(trpc.activity.facets.queryOptions());
  const choices = useProjectEnvironmentChoices(filters);
  const [onSearch] = useState(() => (q: string) => update({ q: q || undefined }, "replace"));
  // The choices failing to load must not look like "nothing to choose": say so, with Retry.
  const failures = [facets, choices.projects, choices.environments].filter((q) => q.isError);
  const failed = failures[0];
  // One panel for the filter choices: Retry loads every one that failed.
  const retryAll = () => Promise.all(failures.map((q) => q.refetch()));
  return (
    <div className="space-y-3 border-b border-slate-200 p-3">
      <div className="flex flex-wrap items-center gap-3">
        <div className="flex rounded-md shadow-xs ring-1 ring-slate-300 ring-inset" role="group" aria-label="Whose activity">
          {WHO.map((who) => (
            <button
              key={who}
              type="button"
              aria-pressed={filters.who === who}
              title={WHO_HINT[who]}
              onClick={() => update({ who: who === "people" ? undefined : who })}
              className={`px-3 py-1.5 text-sm font-medium first:rounded-l-md last:rounded-r-md focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-brand-600 ${filters.who === who ? "bg-brand-600 text-white" : "text-slate-700 hover:bg-slate-50"}`}
            >
              {WHO_LABEL[who]}
            </button>
          ))}
        </div>
        <SearchBox value={filters.q ?? ""} onSearch={onSearch} placeholder="Search messages, targets, people" />
        <a href={csvHref} download className="inline-flex items-center gap-1.5 rounded-md bg-white px-3 py-2 text-sm font-medium text-slate-700 shadow-xs ring-1 ring-slate-300 ring-inset hover:bg-slate-50">
          <FileDown className="size-4" aria-hidden /> Export CSV
        </a>
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <Select aria-label="Outcome" className={CONTROL} value={filters.outcome ?? ""} onChange={(e) => update({ outcome: e.target.value || undefined })}>
          <option value="">Any outcome</option>
          <option value="failure">Failures</option>
          <option value="success">Successes</option>
        </Select>
        <ProjectEnvironmentFilter choices={choices} projectId={filters.projectId} environmentId={filters.environmentId} onChange={update} className={`${CONTROL} sm:max-w-xs`} />
        <Select aria-label="Action" className={CONTROL} value={filters.action ?? ""} onChange={(e) => update({ action: e.target.value || undefined })}>
          <option value="">All actions</option>
          {(facets.data?.actions ?? []).map((action) => (
            <option key={action} value={action}>
              {actionLabel(action)}
            </option>
          ))}
        </Select>
        <Select aria-label="Member" className={`${CONTROL} sm:max-w-xs`} value={filters.userId ?? ""} onChange={(e) => update({ user: e.target.value || undefined })}>
          <option value="">All members</option>
          {(facets.data?.users ?? []).map((u) => (
            <option key={u.id} value={u.id}>
              {u.email}
            </option>
          ))}
        </Select>
        <DateRangeFilter from={filters.from} to={filters.to} onChange={update} className={CONTROL} />
        {filtered && (
          <Button variant="ghost" size="sm" onClick={clear}>
            <X className="size-3.5" aria-hidden /> Clear filters
          </Button>
        )}
      </div>
      {failed && <QueryError what="the filter choices" error={failed.error} onRetry={retryAll} retrying={failures.some((q) => q.isRefetching)} />}
    </div>
  );
}
