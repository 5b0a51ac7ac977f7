"use client";

import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Plus, Server as ServerIcon } from "lucide-react";
import { useState } from "react";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { useContributions } from "@/app/_components/plugin-contributions";
import { Button } from "@/app/_components/ui/button";
import { LoadMore } from "@/app/_components/ui/load-more";
import { Card, EmptyState, PageHeader, Table, TableHead } from "@/app/_components/ui/layout";
import { QueryState } from "@/app/_components/ui/query-state";
import { useConsoleSession } from "@/app/_lib/console-context";
import { useTRPC } from "@/app/_lib/trpc";
import { ServerFormDialog, type Server } from "./server-form-dialog";
import { ServerRow } from "./server-row";

function DeleteServerDialog({ server, onClose }: { server: Server; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.servers.delete.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        onClose();
      },
    }),
  );
  return (
    <ConfirmDialog title="Delete server" confirmLabel="Delete" onClose={onClose} onConfirm={() => remove.mutate({ id: server.id })} pending={remove.isPending} error={remove.error}>
      Delete the server <strong>{server.name}</strong>? Its environments must be moved or deleted first; backups already taken are not affected.
    </ConfirmDialog>
  );
}

export function ServersView() {
  const trpc = useTRPC();
  const { can } = useConsoleSession();
  const kinds = useContributions("serverKinds");
  const [editing, setEditing] = useState<Server | "new" | null>(null);
  const [deleting, setDeleting] = useState<Server | null>(null);
  const servers = useInfiniteQuery(trpc.servers.list.infiniteQueryOptions({ limit: 50 }, { getNextPageParam: (last) => last.nextCursor ?? undefined }));
  const health = useQuery(trpc.servers.health.queryOptions());
  const items = servers.data?.pages.flatMap((p) => p.items) ?? [];
  const healthOf = new Map(health.data?.servers.map((h) => [h.serverId, h]));
  const addButton = can("admin") && (
    <Button onClick={() => setEditing("new")}>
      <Plus className="size-4" aria-hidden /> Add server
    </Button>
  );

  return (
    <>
      <PageHeader title="Servers" description="The machines your client environments run on. Backups are taken from, and restored to, these servers." actions={items.length > 0 && addButton} />
      <Card padded={false}>
        {/* One Retry loads both: the health query failed with the list and would otherwise show its own panel next. */}
        <QueryState query={{ ...servers, refetch: () => Promise.all([servers.refetch(), health.refetch()]) }} what="servers">
          {() =>
            items.length === 0 ? (
              <EmptyState icon={<ServerIcon className="size-6" />} title="No servers yet" action={addButton}>
                A server is where an environment&apos;s database and files live. Add &quot;This host&quot; first (kind <strong>{kinds.title("local")}</strong>: the
                machine the console runs on), then any remote machines the console reaches over SSH.
              </EmptyState>
            ) : (
              <QueryState query={health} what="the servers' health">
                {() => (
                  <Table>
                    <TableHead labels={["Server", "Connection", "Rules for environments", "Health"]} actions={can("operator")} />
                    <tbody className="divide-y divide-slate-100">
                      {items.map((s) => (
                        <ServerRow
                          key={s.id}
                          server={s}
                          health={healthOf.get(s.id)}
                          kind={kinds.find(s.kind)}
                          kindTitle={kinds.title(s.kind)}
                          columns={can("operator") ? 5 : 4}
                          onEdit={() => setEditing(s)}
                          onDelete={() => setDeleting(s)}
                        />
                      ))}
                    </tbody>
                  </Table>
                )}
              </QueryState>
            )
          }
        </QueryState>
        <LoadMore query={servers} />
      </Card>
      {editing && <ServerFormDialog server={editing === "new" ? undefined : editing} onClose={() => setEditing(null)} />}
      {deleting && <DeleteServerDialog server={deleting} onClose={() => setDeleting(null)} />}
    </>
  );
}
