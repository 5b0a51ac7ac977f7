"use client";

import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { Archive } from "lucide-react";
import { BackupFilters } from "@/app/_components/backups/backup-filters";
import { BackupsTable } from "@/app/_components/backups/backups-table";
import { isActive, refreshWhileActive } from "@/app/_components/backups/backup-types";
import { StatusTabs } from "@/app/_components/backups/status-tabs";
import { useBackupFilters } from "@/app/_components/backups/use-backup-filters";
import { Button } from "@/app/_components/ui/button";
import { LoadMore } from "@/app/_components/ui/load-more";
import { Card, EmptyState, PageHeader } from "@/app/_components/ui/layout";
import { QueryState } from "@/app/_components/ui/query-state";
import { useTRPC } from "@/app/_lib/trpc";

const PAGE_SIZE = 50;

export function BackupsView() {
  const trpc = useTRPC();
  const { filters, query, filtered, update, hrefWith } = useBackupFilters();
  const backups = useInfiniteQuery(
    trpc.backups.list.infiniteQueryOptions(
      { ...query, status: filters.status, limit: PAGE_SIZE },
      { getNextPageParam: (last) => last.nextCursor ?? undefined, refetchInterval: refreshWhileActive, placeholderData: keepPreviousData },
    ),
  );
  const items = backups.data?.pages.flatMap((p) => p.items) ?? [];
  // While backups on screen run, their statuses move between tabs.
  const counts = useQuery(trpc.backups.counts.queryOptions(query, { placeholderData: keepPreviousData, refetchInterval: items.some(isActive) ? 5000 : false }));
  const clear = () => update({ status: undefined, type: undefined, project: undefined, environment: undefined, from: undefined, to: undefined, q: undefined });

  return (
    <>
      <PageHeader title="Backups" description="Every backup of every environment in your organization, newest first." />
      <Card padded={false}>
        <BackupFilters filters={filters} update={update} filtered={filtered} />
        <div className="border-b border-slate-200">
          <StatusTabs current={filters.status} counts={counts.data} hrefFor={(status) => hrefWith({ status })} />
        </div>
        <QueryState query={backups} what="the backups">
          {() =>
            items.length === 0 ? (
              filtered ? (
                <EmptyState title="No backup matches these filters" action={<Button variant="secondary" size="sm" onClick={clear}>Clear filters</Button>} />
              ) : (
                <EmptyState icon={<Archive className="size-6" />} title="No backups yet">
                  Backups of every environment will be listed here, newest first, with their status and size.
                </EmptyState>
              )
            ) : (
              <div className={backups.isPlaceholderData ? "opacity-60 transition-opacity" : undefined} aria-busy={backups.isPlaceholderData}>
                <BackupsTable items={items} showEnvironment />
              </div>
            )
          }
        </QueryState>
        <LoadMore query={backups} />
      </Card>
    </>
  );
}
