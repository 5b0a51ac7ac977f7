"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { History, ScrollText, Trash2 } from "lucide-react";
import { useMemo, useState } from "react";
import { DataTable, type RowAction } from "@/app/_components/ui/data-table";
import { LoadMore } from "@/app/_components/ui/load-more";
import { Card, EmptyState } from "@/app/_components/ui/layout";
import { QueryState } from "@/app/_components/ui/query-state";
import { useConsoleSession } from "@/app/_lib/console-context";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import { DiscardCopyDialog } from "./discard-copy-dialog";
import { restoreHistoryColumns } from "./restore-history-columns";
import { RestoreLog } from "./restore-log";
import { refreshWhileRestoring, type RestoreItem } from "./restore-types";

type WithCopy = RestoreItem & { previousCopy: NonNullable<RestoreItem["previousCopy"]> };

const rowLabel = (r: RestoreItem) => `restore of ${formatDateTime(r.createdAt)}`;

/** An environment's restores: into it, and from its backups into others; live while one is queued or running. */
export function RestoreHistory({ environmentId }: { environmentId: string }) {
  const trpc = useTRPC();
  const { can } = useConsoleSession();
  const [discarding, setDiscarding] = useState<WithCopy | null>(null);
  const [openLogs, setOpenLogs] = useState<ReadonlySet<string>>(new Set());
  const restores = useInfiniteQuery(
    trpc.restores.list.infiniteQueryOptions({ environmentId, limit: 10 }, { getNextPageParam: (last) => last.nextCursor ?? undefined, refetchInterval: refreshWhileRestoring }),
  );
  const items = restores.data?.pages.flatMap((p) => p.items) ?? [];
  const columns = useMemo(() => restoreHistoryColumns(environmentId), [environmentId]);

  const toggleLog = (id: string) =>
    setOpenLogs((open) => {
      const next = new Set(open);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const logAction = (r: RestoreItem): RowAction => ({ id: "log", label: openLogs.has(r.id) ? "Hide log" : "Log", icon: <ScrollText aria-hidden />, onSelect: () => toggleLog(r.id) });
  const actionsFor = (r: RestoreItem): RowAction[] => {
    const copy = r.previousCopy;
    const discard: RowAction[] =
      copy && !copy.discardedAt && can("operator")
        ? [{ id: "discard", label: "Discard kept copy", icon: <Trash2 aria-hidden />, danger: true, onSelect: () => setDiscarding({ ...r, previousCopy: copy }) }]
        : [];
    return [logAction(r), ...discard];
  };

  return (
    <Card title="Restores" description="Restores into this environment, and from its backups into others, newest first." padded={false}>
      <QueryState query={restores} what="the restores">
        {() =>
          items.length === 0 ? (
            <EmptyState icon={<History className="size-6" />} title="No restores yet">
              Use Restore on a completed backup above to roll this environment back, or to copy it into another environment.
            </EmptyState>
          ) : (
            <DataTable
              label="Restores"
              data={items}
              columns={columns}
              rowKey={(r) => r.id}
              rowLabel={rowLabel}
              actions={actionsFor}
              primaryAction={logAction}
              primaryWidth={96}
              rowAttributes={(r) => ({ "data-restore-id": r.id, "data-status": r.status })}
              detail={(r) => (openLogs.has(r.id) ? <RestoreLog log={r.log} /> : null)}
            />
          )
        }
      </QueryState>
      <LoadMore query={restores} />
      {discarding && <DiscardCopyDialog restore={discarding} onClose={() => setDiscarding(null)} />}
    </Card>
  );
}
