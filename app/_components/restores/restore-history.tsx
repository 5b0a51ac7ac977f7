"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { History } from "lucide-react";
import { useState } from "react";
import { LoadMore } from "@/app/_components/ui/load-more";
import { Alert, Card, EmptyState, Table, Th } from "@/app/_components/ui/layout";
import { useConsoleSession } from "@/app/_lib/console-context";
import { errorInfo } from "@/app/_lib/errors";
import { useTRPC } from "@/app/_lib/trpc";
import { DiscardCopyDialog } from "./discard-copy-dialog";
import { RestoreHistoryRow } from "./restore-history-row";
import { refreshWhileRestoring, type RestoreItem } from "./restore-types";

type WithCopy = RestoreItem & { previousCopy: NonNullable<RestoreItem["previousCopy"]> };

/** An environment's restores: into it, and from its backups into others; live while one is queued or running. */
export function RestoreHistory({ environmentId }: { environmentId: string }) {
  const trpc = useTRPC();
  const { can } = useConsoleSession();
  const [discarding, setDiscarding] = useState<WithCopy | null>(null);
  const restores = useInfiniteQuery(
    trpc.restores.list.infiniteQueryOptions({ environmentId, limit: 10 }, { getNextPageParam: (last) => last.nextCursor ?? undefined, refetchInterval: refreshWhileRestoring }),
  );
  const items = restores.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Card title="Restores" description="Restores into this environment, and from its backups into others, newest first." padded={false}>
      {restores.isLoading ? (
        <p className="px-5 py-10 text-center text-sm text-slate-500">Loading…</p>
      ) : restores.error ? (
        <div className="p-5">
          <Alert tone="danger">{errorInfo(restores.error)?.message}</Alert>
        </div>
      ) : items.length === 0 ? (
        <EmptyState icon={<History className="size-6" />} title="No restores yet">
          Use Restore on a completed backup above to roll this environment back, or to copy it into another environment.
        </EmptyState>
      ) : (
        <Table>
          <thead>
            <tr>
              <Th>Requested</Th>
              <Th>Backup</Th>
              <Th>Target</Th>
              <Th>Options</Th>
              <Th>Status</Th>
              <Th>Kept copy</Th>
              <Th>
                <span className="sr-only">Log</span>
              </Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {items.map((r) => (
              <RestoreHistoryRow
                key={r.id}
                restore={r}
                environmentId={environmentId}
                canDiscard={can("operator")}
                onDiscard={() => r.previousCopy && setDiscarding({ ...r, previousCopy: r.previousCopy })}
              />
            ))}
          </tbody>
        </Table>
      )}
      <LoadMore query={restores} />
      {discarding && <DiscardCopyDialog restore={discarding} onClose={() => setDiscarding(null)} />}
    </Card>
  );
}
