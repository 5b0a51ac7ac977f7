"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { History } from "lucide-react";
import { useState } from "react";
import { Button } from "@/app/_components/ui/button";
import { LoadMore } from "@/app/_components/ui/load-more";
import { Alert, Badge, Card, EmptyState, PageHeader, Table, Td, Th } from "@/app/_components/ui/layout";
import { errorInfo } from "@/app/_lib/errors";
import { formatDateTime, formatRelative } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import { actionLabel } from "@/app/_lib/action-label";

const FILTERS = [
  { label: "All", outcome: undefined },
  { label: "Failures", outcome: "failure" },
] as const;

type Outcome = (typeof FILTERS)[number]["outcome"];

export function ActivityView() {
  const trpc = useTRPC();
  const [outcome, setOutcome] = useState<Outcome>(undefined);
  const activity = useInfiniteQuery(
    trpc.activity.list.infiniteQueryOptions({ limit: 50, outcome }, { getNextPageParam: (last) => last.nextCursor ?? undefined }),
  );
  const items = activity.data?.pages.flatMap((p) => p.items) ?? [];
  const loadError = errorInfo(activity.error);

  return (
    <>
      <PageHeader title="Activity" description="Who did what, to which object, and when — newest first. Failures are shown in red." />
      <Card padded={false}>
        <div className="flex gap-1 border-b border-slate-200 p-3" role="group" aria-label="Show">
          {FILTERS.map((f) => (
            <Button key={f.label} size="sm" variant={outcome === f.outcome ? "primary" : "secondary"} aria-pressed={outcome === f.outcome} onClick={() => setOutcome(f.outcome)}>
              {f.label}
            </Button>
          ))}
        </div>
        {loadError ? (
          <div className="p-5">
            <Alert tone="danger">{loadError.message}</Alert>
          </div>
        ) : activity.isLoading ? (
          <p className="px-5 py-10 text-center text-sm text-slate-500">Loading…</p>
        ) : items.length === 0 ? (
          <EmptyState icon={<History className="size-6" />} title={outcome === "failure" ? "No failures" : "No activity yet"}>
            {outcome === "failure" ? "Nothing has failed. Failed backups, restores and connection tests will show up here." : "Changes and operations in this organization will be listed here."}
          </EmptyState>
        ) : (
          <Table>
            <thead>
              <tr>
                <Th>Time</Th>
                <Th>Who</Th>
                <Th>What</Th>
                <Th>Target</Th>
                <Th>Outcome</Th>
                <Th>Message</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {items.map((a) => {
                const failed = a.outcome === "failure";
                // Td sets its own text colour; the important modifier lets a failed row override it.
                const tone = failed ? "text-red-700!" : "";
                return (
                  <tr key={a.id} className={failed ? "bg-red-50/40" : undefined} data-outcome={a.outcome}>
                    <Td className={`whitespace-nowrap ${tone}`}>
                      <time dateTime={a.createdAt} title={formatRelative(a.createdAt)} className={failed ? undefined : "text-slate-500"}>
                        {formatDateTime(a.createdAt)}
                      </time>
                    </Td>
                    <Td className={tone}>
                      <span className="block max-w-48 truncate" title={a.actor}>
                        {a.actor}
                      </span>
                    </Td>
                    <Td className={`whitespace-nowrap font-medium ${tone}`}>{actionLabel(a.action)}</Td>
                    <Td className={tone}>{a.targetLabel || "—"}</Td>
                    <Td>{failed ? <Badge tone="danger">Failed</Badge> : <Badge tone="success">Success</Badge>}</Td>
                    <Td className={tone}>{a.message}</Td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
        )}
        <LoadMore query={activity} />
      </Card>
    </>
  );
}
