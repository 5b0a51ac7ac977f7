"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Button } from "@/app/_components/ui/button";
import { Badge } from "@/app/_components/ui/layout";
import { useConsoleSession } from "@/app/_lib/console-context";
import { formatDateTime } from "@/app/_lib/format";
import { QueryError } from "@/app/_components/ui/query-state";
import { useTRPC } from "@/app/_lib/trpc";

/** The links already made for a backup: who made them, until when, and Revoke for those still valid. */
export function IssuedLinks({ backupId, title }: { backupId: string; title: (link: { artifact: string; format: string | null; neutralized: boolean }) => string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can } = useConsoleSession();
  const links = useQuery(trpc.downloadLinks.list.queryOptions({ backupId }, { select: (page) => page.items }));
  const revoke = useMutation(trpc.downloadLinks.revoke.mutationOptions({ onSuccess: () => queryClient.invalidateQueries(trpc.downloadLinks.list.queryFilter({ backupId })) }));
  const items = links.data ?? [];
  if (links.isError) return <QueryError what="the links made for this backup" error={links.error} onRetry={links.refetch} retrying={links.isRefetching} />;
  if (items.length === 0) return null;
  // "Now" as of the last refresh keeps rendering pure; the list refreshes when links change.
  const now = links.dataUpdatedAt;
  return (
    <section className="space-y-2 border-t border-slate-200 pt-4">
      <h3 className="text-xs font-medium tracking-wide text-slate-500 uppercase">Links made for this backup</h3>
      <ul className="divide-y divide-slate-100 text-sm">
        {items.map((l) => {
          const expired = Date.parse(l.expiresAt) <= now;
          return (
            <li key={l.id} className="flex items-center justify-between gap-3 py-2">
              <div>
                <p className="text-slate-900">{title(l)}</p>
                <p className="text-xs text-slate-500">
                  by {l.createdBy ?? "a deleted user"} · {expired ? "expired" : "valid until"} {formatDateTime(l.expiresAt)}
                </p>
              </div>
              {l.revokedAt ? (
                <Badge tone="neutral">Revoked</Badge>
              ) : expired ? (
                <Badge tone="neutral">Expired</Badge>
              ) : (
                can("operator") && (
                  <Button size="sm" variant="secondary" loading={revoke.isPending && revoke.variables?.id === l.id} onClick={() => revoke.mutate({ id: l.id })}>
                    Revoke
                  </Button>
                )
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
