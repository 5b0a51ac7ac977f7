"use client";

import { useQuery } from "@tanstack/react-query";
import { X } from "lucide-react";
import { useState } from "react";
import { Button } from "@/app/_components/ui/button";
import { Input, Select } from "@/app/_components/ui/field";
import { SearchBox } from "@/app/_components/ui/search-box";
import { BACKUP_TYPE_LABEL } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import { BACKUP_TYPES } from "@/shared/enum-values";
import type { useBackupFilters } from "./use-backup-filters";

const CONTROL = "w-auto!";

/** Project, environment (narrowed by project), type, date range and name search; every change goes to the URL. */
export function BackupFilters({ filters, update, filtered }: Pick<ReturnType<typeof useBackupFilters>, "filters" | "update" | "filtered">) {
  const trpc = useTRPC();
  const projects = useQuery(trpc.projects.list.queryOptions({ limit: 200 }));
  const environmentsEnabled = Boolean(filters.projectId || filters.environmentId);
  const environments = useQuery(trpc.environments.list.queryOptions({ projectId: filters.projectId, limit: 200 }, { enabled: environmentsEnabled }));
  const [onSearch] = useState(() => (q: string) => update({ q: q || undefined }, "replace"));
  return (
    <div className="space-y-3 border-b border-slate-200 p-3">
      <div className="flex flex-wrap gap-3">
        <SearchBox value={filters.q ?? ""} onSearch={onSearch} placeholder="Search environment or project" />
        <Select aria-label="Project" className={`${CONTROL} max-w-xs`} value={filters.projectId ?? ""} onChange={(e) => update({ project: e.target.value || undefined, environment: undefined })}>
          <option value="">All projects</option>
          {(projects.data?.items ?? []).map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </Select>
        <Select
          aria-label="Environment"
          className={`${CONTROL} max-w-xs`}
          value={filters.environmentId ?? ""}
          disabled={!environmentsEnabled}
          title={environmentsEnabled ? undefined : "Choose a project first"}
          onChange={(e) => update({ environment: e.target.value || undefined })}
        >
          <option value="">{environmentsEnabled ? "All environments" : "All environments (choose a project)"}</option>
          {(environments.data?.items ?? []).map((e) => (
            <option key={e.id} value={e.id}>
              {filters.projectId ? e.name : `${e.projectName} / ${e.name}`}
            </option>
          ))}
        </Select>
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
        <label className="flex items-center gap-2 text-sm text-slate-600">
          From
          <Input type="date" className={CONTROL} value={filters.from ?? ""} max={filters.to} onChange={(e) => update({ from: e.target.value || undefined })} />
        </label>
        <label className="flex items-center gap-2 text-sm text-slate-600">
          To
          <Input type="date" className={CONTROL} value={filters.to ?? ""} min={filters.from} onChange={(e) => update({ to: e.target.value || undefined })} />
        </label>
        {filtered && (
          <Button variant="ghost" size="sm" onClick={() => update({ status: undefined, type: undefined, project: undefined, environment: undefined, from: undefined, to: undefined, q: undefined })}>
            <X className="size-3.5" aria-hidden /> Clear filters
          </Button>
        )}
      </div>
    </div>
  );
}
