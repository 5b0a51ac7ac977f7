"use client";

import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import { History } from "lucide-react";
import { Button } from "@/app/_components/ui/button";
import { LoadMore } from "@/app/_components/ui/load-more";
import { Card, EmptyState, PageHeader } from "@/app/_components/ui/layout";
import { QueryState } from "@/app/_components/ui/query-state";
import { useTRPC } from "@/app/_lib/trpc";
import { ActivityFilterBar } from "./activity-filter-bar";
import { ActivityTable } from "./activity-table";
import { useActivityFilters } from "./use-activity-filters";

export function ActivityView() {
  const trpc = useTRPC();
  const { filters, query, filtered, update, clear, csvHref } = useActivityFilters();
  const activity = useInfiniteQuery(
    trpc.activity.list.infiniteQueryOptions({ ...query, limit: 50 }, { getNextPageParam: (last) => last.nextCursor ?? undefined, placeholderData: keepPreviousData }),
  );
  const items = activity.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <PageHeader title="Activity" description="Who did what, to which object, and when: newest first. People's actions by default; System shows what Safehold did on its own." />
      <Card padded={false}>
        <ActivityFilterBar filters={filters} update={update} filtered={filtered} clear={clear} csvHref={csvHref} />
        <QueryState query={activity} what="the activity log">
          {() =>
            items.length === 0 ? (
              filtered ? (
                <EmptyState title="No activity matches these filters" action={<Button variant="secondary" size="sm" onClick={clear}>Clear filters</Button>} />
              ) : (
                <EmptyState icon={<History className="size-6" />} title="No activity by people yet">
                  Changes and operations members make will be listed here. Choose System or All to see what Safehold did on its own.
                </EmptyState>
              )
            ) : (
              <div className={activity.isPlaceholderData ? "opacity-60 transition-opacity" : undefined} aria-busy={activity.isPlaceholderData}>
                <ActivityTable items={items} />
              </div>
            )
          }
        </QueryState>
        <LoadMore query={activity} />
      </Card>
    </>
  );
}
