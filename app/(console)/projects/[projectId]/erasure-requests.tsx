"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Trash2, UserX } from "lucide-react";
import { useState } from "react";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { Button } from "@/app/_components/ui/button";
import { Card, EmptyState, Table, Td, TableHead } from "@/app/_components/ui/layout";
import { useConsoleSession } from "@/app/_lib/console-context";
import { formatDateTime } from "@/app/_lib/format";
import { QueryState } from "@/app/_components/ui/query-state";
import { useTRPC } from "@/app/_lib/trpc";
import { ErasureRequestForm } from "./erasure-request-form";

type ErasureRequest = { id: string; subject: string };

function RemoveErasureRequestDialog({ request, projectId, onClose }: { request: ErasureRequest; projectId: string; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.erasure.remove.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.erasure.list.queryKey({ projectId }) });
        onClose();
      },
    }),
  );
  return (
    <ConfirmDialog title="Remove erasure request" confirmLabel="Remove" onClose={onClose} onConfirm={() => remove.mutate({ id: request.id })} pending={remove.isPending} error={remove.error}>
      Remove <strong>{request.subject}</strong> from the erasure list? Copies restored from now on keep this person&apos;s records as they are in the backup.
    </ConfirmDialog>
  );
}

/** A project's erased data subjects (right to be forgotten): listed for everyone, added by operators, removed by admins. */
export function ErasureRequests({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const { can } = useConsoleSession();
  const [removing, setRemoving] = useState<ErasureRequest | null>(null);
  const requests = useQuery(trpc.erasure.list.queryOptions({ projectId }));
  const items = requests.data ?? [];

  return (
    <Card
      title="Erasure requests"
      description="People erased under the right to be forgotten are anonymised again in every restored or exported copy of this project's environments."
      padded={false}
    >
      {can("operator") && (
        <div className="border-b border-slate-200 p-5">
          <ErasureRequestForm projectId={projectId} />
        </div>
      )}
      {requests.isPending || requests.isError ? (
        <QueryState query={requests} what="erasure requests">
          {() => null}
        </QueryState>
      ) : items.length === 0 ? (
        <EmptyState icon={<UserX className="size-6" />} title="No erasure requests">
          When someone asks to be forgotten, record their email address (or their record, as type,id) here, so that restoring or exporting an older backup does not bring their data back.
        </EmptyState>
      ) : (
        <Table>
          <TableHead labels={["Person", "Note", "Recorded by", "When"]} actions={can("admin")} />
          <tbody className="divide-y divide-slate-100">
            {items.map((r) => (
              <tr key={r.id}>
                <Td className="font-medium text-slate-900">{r.subject}</Td>
                <Td className="max-w-md break-words text-slate-600">{r.note || <span className="text-slate-400">—</span>}</Td>
                <Td className="text-slate-600">{r.createdBy ?? <span className="text-slate-400">a removed member</span>}</Td>
                <Td className="whitespace-nowrap text-slate-500">{formatDateTime(r.createdAt)}</Td>
                {can("admin") && (
                  <Td className="text-right">
                    <Button variant="ghost" size="sm" aria-label={`Remove ${r.subject}`} onClick={() => setRemoving(r)}>
                      <Trash2 className="size-4" aria-hidden />
                    </Button>
                  </Td>
                )}
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {removing && <RemoveErasureRequestDialog request={removing} projectId={projectId} onClose={() => setRemoving(null)} />}
    </Card>
  );
}
