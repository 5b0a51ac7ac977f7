"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { Archive } from "lucide-react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { BackupsTable } from "@/app/_components/backups/backups-table";
import { refreshWhileActive } from "@/app/_components/backups/backup-types";
import { LoadMore } from "@/app/_components/ui/load-more";
import { Select } from "@/app/_components/ui/field";
import { Card, EmptyState, PageHeader } from "@/app/_components/ui/layout";
import { BACKUP_STATUS_LABEL, BACKUP_TYPE_LABEL } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import { BACKUP_STATUSES, BACKUP_TYPES } from "@/server/db/schema/enums";

type Status = (typeof BACKUP_STATUSES)[number];
type Type = (typeof BACKUP_TYPES)[number];

export function BackupsView() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const status = (BACKUP_STATUSES as readonly string[]).includes(params.get("status") ?? "") ? (params.get("status") as Status) : undefined;
  const type = (BACKUP_TYPES as readonly string[]).includes(params.get("type") ?? "") ? (params.get("type") as Type) : undefined;
  const environmentId = params.get("environment") ?? undefined;
  const environments = useQuery(trpc.environments.list.queryOptions({ limit: 200 }));
  const backups = useInfiniteQuery(
    trpc.backups.list.infiniteQueryOptions(
      { status, type, environmentId, limit: 50 },
      { getNextPageParam: (last) => last.nextCursor ?? undefined, refetchInterval: refreshWhileActive },
    ),
  );
  const items = backups.data?.pages.flatMap((p) => p.items) ?? [];

  // Filters live in the URL, so a filtered view can be shared and the back button works.
  function setFilter(name: string, value: string) {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    router.replace(`${pathname}${next.size ? `?${next}` : ""}`);
  }

  return (
    <>
      <PageHeader title="Backups" description="Every backup of every environment in your organization, newest first." />
      <Card padded={false}>
        <div className="flex flex-wrap gap-3 border-b border-slate-200 p-3">
          <Select aria-label="Status" className="w-auto!" value={status ?? ""} onChange={(e) => setFilter("status", e.target.value)}>
            <option value="">All statuses</option>
            {BACKUP_STATUSES.map((s) => (
              <option key={s} value={s}>
                {BACKUP_STATUS_LABEL[s]}
              </option>
            ))}
          </Select>
          <Select aria-label="Environment" className="w-auto! max-w-xs" value={environmentId ?? ""} onChange={(e) => setFilter("environment", e.target.value)}>
            <option value="">All environments</option>
            {(environments.data?.items ?? []).map((e) => (
              <option key={e.id} value={e.id}>
                {e.projectName} / {e.name}
              </option>
            ))}
          </Select>
          <Select aria-label="Type" className="w-auto!" value={type ?? ""} onChange={(e) => setFilter("type", e.target.value)}>
            <option value="">All types</option>
            {BACKUP_TYPES.map((t) => (
              <option key={t} value={t}>
                {BACKUP_TYPE_LABEL[t]}
              </option>
            ))}
          </Select>
        </div>
        {backups.isLoading ? (
          <p className="px-5 py-10 text-center text-sm text-slate-500">Loading…</p>
        ) : items.length === 0 ? (
          status || type || environmentId ? (
            <EmptyState title="No backup matches these filters" />
          ) : (
            <EmptyState icon={<Archive className="size-6" />} title="No backups yet">
              Backups of every environment will be listed here, newest first, with their status and size.
            </EmptyState>
          )
        ) : (
          <BackupsTable items={items} showEnvironment />
        )}
        <LoadMore query={backups} />
      </Card>
    </>
  );
}
