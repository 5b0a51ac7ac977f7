"use client";

import { X } from "lucide-react";
import { useState } from "react";
import { Button } from "@/app/_components/ui/button";
import { Select } from "@/app/_components/ui/field";
import { DateRangeFilter } from "@/app/_components/filters/date-range-filter";
import { ProjectEnvironmentFilter, useProjectEnvironmentChoices } from "@/app/_components/filters/project-environment-filter";
import { SearchBox } from "@/app/_components/ui/search-box";
import { BACKUP_TYPE_LABEL } from "@/app/_lib/format";
import { BACKUP_TYPES } from "@/shared/enum-values";
import type { useBackupFilters } from "./use-backup-filters";

const CONTROL = "w-auto!";

/** Project, environment (narrowed by project), type, date range and name search; every change goes to the URL. */
export function BackupFilters({ filters, update, filtered }: Pick<ReturnType<typeof useBackupFilters>, "filters" | "update" | "filtered">) {
  const choices = useProjectEnvironmentChoices(filters);
  const [onSearch] = useState(() => (q: string) => update({ q: q || undefined }, "replace"));
  return (
    <div className="space-y-3 border-b border-slate-200 p-3">
      <div className="flex flex-wrap gap-3">
        <SearchBox value={filters.q ?? ""} onSearch={onSearch} placeholder="Search environment or project" />
        <ProjectEnvironmentFilter choices={choices} projectId={filters.projectId} environmentId={filters.environmentId} onChange={update} className={`${CONTROL} max-w-xs`} />
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <Select aria-label="Type" className={CONTROL} value={filters.type ?? ""} onChange={(e) => update({ type: e.target.value || undefined })}>
          <option value="">All types</option>
          {BACKUP_TYPES.map((t) => (
            <option key={t} value={t}>
              {BACKUP_TYPE_LABEL[t]}
            </option>
          ))}
        </Select>
        <DateRangeFilter from={filters.from} to={filters.to} onChange={update} className={CONTROL} />
        {filtered && (
          <Button variant="ghost" size="sm" onClick={() => update({ status: undefined, type: undefined, project: undefined, environment: undefined, from: undefined, to: undefined, q: undefined })}>
            <X className="size-3.5" aria-hidden /> Clear filters
          </Button>
        )}
      </div>
    </div>
  );
}
