"use client";

import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { BellRing, Plus } from "lucide-react";
import { useState } from "react";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { useContributions } from "@/app/_components/plugin-contributions";
import { Button } from "@/app/_components/ui/button";
import { LoadMore } from "@/app/_components/ui/load-more";
import { Card, EmptyState, Table, TableHead } from "@/app/_components/ui/layout";
import { QueryState } from "@/app/_components/ui/query-state";
import { FailuresReachNoOne } from "@/app/_components/notifications/failures-reach-no-one";
import { useConsoleSession } from "@/app/_lib/console-context";
import { useTRPC } from "@/app/_lib/trpc";
import { ChannelFormDialog, type NotificationChannel } from "./channel-form-dialog";
import { ChannelRow } from "./channel-row";
import { DeliveriesCard } from "./deliveries-card";

const COLUMNS = 4;

function DeleteChannelDialog({ channel, onClose }: { channel: NotificationChannel; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.notificationChannels.delete.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        onClose();
      },
    }),
  );
  return (
    <ConfirmDialog title="Delete notification channel" confirmLabel="Delete" onClose={onClose} onConfirm={() => remove.mutate({ id: channel.id })} pending={remove.isPending} error={remove.error}>
      Delete the channel <strong>{channel.name}</strong>? Policies stop notifying it, and its delivery log is deleted with it.
    </ConfirmDialog>
  );
}

export function NotificationsView() {
  const trpc = useTRPC();
  const { can } = useConsoleSession();
  const notifiers = useContributions("notifiers");
  const [editing, setEditing] = useState<NotificationChannel | "new" | null>(null);
  const [deleting, setDeleting] = useState<NotificationChannel | null>(null);
  const channels = useInfiniteQuery(
    trpc.notificationChannels.list.infiniteQueryOptions({ limit: 50 }, { getNextPageParam: (last) => last.nextCursor ?? undefined }),
  );
  const items = channels.data?.pages.flatMap((p) => p.items) ?? [];
  const addButton = can("admin") && (
    <Button onClick={() => setEditing("new")}>
      <Plus className="size-4" aria-hidden /> Add channel
    </Button>
  );

  return (
    <div className="space-y-6">
      <FailuresReachNoOne />
      <Card
        title="Notification channels"
        description="Where backup and restore notifications go. The backup policy decides which channels are told, and whether of successes, failures or both."
        actions={items.length > 0 && addButton}
        padded={false}
      >
        <QueryState query={channels} what="the notification channels">
          {() => items.length === 0 ? (
            <EmptyState icon={<BellRing className="size-6" />} title="No notification channel yet" action={addButton}>
              Add an email address list or a webhook (Slack, Mattermost or your own endpoint), then choose it in the backup policy to hear about failed backups.
            </EmptyState>
          ) : (
            <Table>
              <TableHead labels={["Channel", "Notifier", "Sends to"]} actions />
              <tbody className="divide-y divide-slate-100">
                {items.map((channel) => (
                  <ChannelRow
                    key={channel.id}
                    channel={channel}
                    notifierTitle={notifiers.title(channel.notifier)}
                    destination={notifiers.summary(channel.notifier, channel.config)}
                    columns={COLUMNS}
                    onEdit={() => setEditing(channel)}
                    onDelete={() => setDeleting(channel)}
                  />
                ))}
              </tbody>
            </Table>
          )}
        </QueryState>
        <LoadMore query={channels} />
      </Card>
      <DeliveriesCard />
      {editing && <ChannelFormDialog channel={editing === "new" ? undefined : editing} onClose={() => setEditing(null)} />}
      {deleting && <DeleteChannelDialog channel={deleting} onClose={() => setDeleting(null)} />}
    </div>
  );
}
