"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { TestResultRow } from "@/app/_components/test-result";
import { Button } from "@/app/_components/ui/button";
import { Td } from "@/app/_components/ui/layout";
import { useConsoleSession } from "@/app/_lib/console-context";
import { errorInfo } from "@/app/_lib/errors";
import { useTRPC } from "@/app/_lib/trpc";
import type { NotificationChannel } from "./channel-form-dialog";

/** One channel, its actions, and under it the answer of its last test. */
export function ChannelRow({ channel, notifierTitle, destination, columns, onEdit, onDelete }: { channel: NotificationChannel; notifierTitle: string; destination: string; columns: number; onEdit: () => void; onDelete: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can } = useConsoleSession();
  // The test is recorded in the delivery log: refresh it.
  const test = useMutation(trpc.notificationChannels.test.mutationOptions({ onSettled: () => queryClient.invalidateQueries() }));
  const failure = errorInfo(test.error);

  return (
    <>
      <tr>
        <Td className="font-medium text-slate-900">{channel.name}</Td>
        <Td>{notifierTitle}</Td>
        <Td className="max-w-xs truncate font-mono text-xs text-slate-600">{destination || "—"}</Td>
        <Td className="text-right whitespace-nowrap">
          {can("admin") && (
            <>
              <Button variant="ghost" size="sm" loading={test.isPending} onClick={() => test.mutate({ id: channel.id })}>
                Send test
              </Button>
              <Button variant="ghost" size="sm" onClick={onEdit}>Edit</Button>
              <Button variant="ghost" size="sm" className="text-red-600 hover:text-red-700" onClick={onDelete}>Delete</Button>
            </>
          )}
        </Td>
      </tr>
      <TestResultRow columns={columns} result={test.data} failure={failure} onDismiss={() => test.reset()} />
    </>
  );
}
