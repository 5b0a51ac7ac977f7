"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { StageBadge } from "@/app/_components/stage";
import { Input } from "@/app/_components/ui/field";
import { Badge } from "@/app/_components/ui/layout";
import { QueryState } from "@/app/_components/ui/query-state";
import { RadioCard } from "@/app/_components/ui/radio-card";
import { useTRPC } from "@/app/_lib/trpc";
import { compatibleEnvironments, type EnvironmentItem } from "./restore-plan";

const LIMIT = 200;

/** Picks an existing environment a backup of `origin` can be restored into, optionally only on one server. */
export function EnvironmentPicker({
  origin,
  sourceTitle,
  serverId,
  selected,
  onSelect,
  error,
  empty,
}: {
  origin: EnvironmentItem;
  sourceTitle: string;
  serverId?: string;
  selected: EnvironmentItem | null;
  onSelect: (environment: EnvironmentItem) => void;
  error?: string;
  empty: string;
}) {
  const trpc = useTRPC();
  const [filter, setFilter] = useState("");
  const q = filter.trim() || undefined;
  const environments = useQuery(trpc.environments.list.queryOptions({ q, serverId, source: origin.source, limit: LIMIT }, { placeholderData: keepPreviousData }));
  const items = compatibleEnvironments(environments.data?.items ?? [], origin);
  const more = Boolean(environments.data?.nextCursor);

  return (
    <div className="space-y-2">
      {(items.length > 6 || q || more) && (
        <Input type="search" aria-label="Filter environments" placeholder="Filter by project or environment name" value={filter} onChange={(e) => setFilter(e.target.value)} />
      )}
      <QueryState query={environments} what="the environments" loading={<p className="py-4 text-center text-sm text-slate-500">Loading environments…</p>}>
        {() => items.length === 0 ? (
          <p className="rounded-md bg-slate-50 px-4 py-3 text-sm text-slate-600">{q ? "No compatible environment matches this filter." : empty}</p>
        ) : (
          <div role="radiogroup" aria-label="Target environment" className="max-h-72 space-y-2 overflow-y-auto p-0.5">
            {items.map((e) => (
              <RadioCard
                key={e.id}
                name="restore-target-environment"
                value={e.id}
                checked={selected?.id === e.id}
                onChange={() => onSelect(e)}
                title={`${e.projectName} / ${e.name}`}
                description={`${sourceTitle} on ${e.serverName}`}
                aside={
                  <span className="flex items-center gap-1.5">
                    {e.restoring && <Badge tone="warning">Restoring…</Badge>}
                    <StageBadge stage={e.stage} />
                  </span>
                }
              />
            ))}
          </div>
        )}
      </QueryState>
      {more && <p className="text-xs text-slate-500">Showing the first {LIMIT} environments: type part of a name to find others.</p>}
      {selected?.restoring && <p className="text-xs text-amber-700">A restore into {selected.name} is already queued or running: this one starts after it.</p>}
      {error && (
        <p className="text-xs text-red-600" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
