"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { RotateCcw } from "lucide-react";
import Link from "next/link";
import { Button } from "@/app/_components/ui/button";
import { Table, Td, TableHead } from "@/app/_components/ui/layout";
import { useConsoleSession } from "@/app/_lib/console-context";
import { errorInfo } from "@/app/_lib/errors";
import { formatDateTime, formatRelative } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import type { Dashboard } from "./types";

type FailedCopy = Dashboard["failedCopies"][number];

function RetryButton({ copy }: { copy: FailedCopy }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const retry = useMutation(trpc.backups.retryCopy.mutationOptions({ onSuccess: () => queryClient.invalidateQueries() }));
  const failure = errorInfo(retry.error);
  return (
    <>
      <Button variant="secondary" size="sm" loading={retry.isPending} onClick={() => retry.mutate({ backupId: copy.backupId, storageLocationId: copy.storageLocationId })}>
        <RotateCcw className="size-3.5" aria-hidden /> Retry
      </Button>
      {failure && <p className="mt-1 text-xs text-red-600">{failure.message}</p>}
    </>
  );
}

/** Second copies that failed after their last attempt: which backup, where, why, and a retry for operators. */
export function FailedCopies({ dashboard }: { dashboard: Dashboard }) {
  const { can } = useConsoleSession();
  const { failedCopies, failedCopiesTotal } = dashboard;
  if (failedCopies.length === 0) return null;
  return (
    <div className="border-t border-slate-200">
      <p className="px-4 pt-3 text-sm font-medium text-slate-900">
        {failedCopiesTotal > failedCopies.length ? `The ${failedCopies.length} newest of ${failedCopiesTotal} failed second copies` : `${failedCopiesTotal} failed second ${failedCopiesTotal === 1 ? "copy" : "copies"}`}
      </p>
      <Table>
        <TableHead labels={["Environment", "Reason", "Failed"]} actions />
        <tbody className="divide-y divide-slate-100">
          {failedCopies.map((c) => (
            <tr key={`${c.backupId}-${c.storageLocationId}`} className="align-top">
              <Td>
                <Link href={`/projects/${c.projectId}/environments/${c.environmentId}`} className="font-medium text-slate-900 hover:text-brand-700">
                  {c.environmentName}
                </Link>
                <p className="text-xs text-slate-500">{c.projectName}</p>
              </Td>
              <Td>
                <p className="max-w-sm text-sm text-red-700" title={`After ${c.attempts} attempts`}>
                  {c.reason}
                </p>
              </Td>
              <Td className="whitespace-nowrap text-slate-600">
                <span title={formatDateTime(c.failedAt)}>{formatRelative(c.failedAt)}</span>
              </Td>
              <Td className="text-right">{can("operator") && <RetryButton copy={c} />}</Td>
            </tr>
          ))}
        </tbody>
      </Table>
    </div>
  );
}
