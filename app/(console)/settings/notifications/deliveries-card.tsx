"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { Inbox } from "lucide-react";
import { LoadMore } from "@/app/_components/ui/load-more";
import { Badge, Card, EmptyState, Table, Td, type Tone, TableHead } from "@/app/_components/ui/layout";
import { QueryState } from "@/app/_components/ui/query-state";
import { formatDateTime, formatRelative } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";

const STATUS: Record<"pending" | "sent" | "failed", { tone: Tone; label: string }> = {
  pending: { tone: "warning", label: "Retrying" },
  sent: { tone: "success", label: "Sent" },
  failed: { tone: "danger", label: "Failed" },
};

const EVENT_LABEL: Record<string, string> = {
  "backup.completed": "Backup completed",
  "backup.failed": "Backup failed",
  "backup.overdue": "Backup overdue",
  "restore.completed": "Restore completed",
  "restore.failed": "Restore failed",
  test: "Test",
};

/** The delivery log, newest first; it refreshes itself while a delivery is still being retried. */
export function DeliveriesCard() {
  const trpc = useTRPC();
  const deliveries = useInfiniteQuery(
    trpc.notificationChannels.deliveries.infiniteQueryOptions(
      { limit: 25 },
      {
        getNextPageParam: (last) => last.nextCursor ?? undefined,
        refetchInterval: (query) => (query.state.data?.pages.some((p) => p.items.some((d) => d.status === "pending")) ? 5000 : false),
      },
    ),
  );
  const items = deliveries.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Card title="Recent deliveries" description="Every notification sent or attempted. A failed attempt is retried up to 5 times, a little later each time." padded={false}>
      <QueryState query={deliveries} what="the delivery log">
        {() => items.length === 0 ? (
          <EmptyState icon={<Inbox className="size-6" />} title="Nothing sent yet">
            Notifications appear here once a backup or restore ends in an environment whose policy names a channel, or when you send a test.
          </EmptyState>
        ) : (
          <Table>
            <TableHead labels={["Time", "Status", "Event", "Channel", "Attempts", "Error"]} />
            <tbody className="divide-y divide-slate-100">
              {items.map((d) => {
                const status = STATUS[d.status];
                return (
                  <tr key={d.id} data-status={d.status}>
                    <Td className="whitespace-nowrap">
                      <time dateTime={d.createdAt} title={formatRelative(d.createdAt)} className="text-slate-500">
                        {formatDateTime(d.createdAt)}
                      </time>
                    </Td>
                    <Td>
                      <Badge tone={status.tone}>{status.label}</Badge>
                    </Td>
                    <Td>
                      <span className="block font-medium text-slate-900">{EVENT_LABEL[d.event] ?? d.event}</span>
                      <span className="block max-w-72 truncate text-xs text-slate-500" title={d.title}>
                        {d.title}
                      </span>
                    </Td>
                    <Td>{d.channelName}</Td>
                    <Td className="tabular-nums">{d.attempts}</Td>
                    <Td className={d.error ? "text-red-700" : "text-slate-400"}>{d.error ?? "—"}</Td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
        )}
      </QueryState>
      <LoadMore query={deliveries} />
    </Card>
  );
}
