"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { SchemaForm } from "@/app/_components/schema-form";
import { errorsShownAtFields, useContributionConfig } from "@/app/_components/use-contribution-config";
import { Button } from "@/app/_components/ui/button";
import { Dialog } from "@/app/_components/ui/dialog";
import { Checkbox, Field, Input, Select } from "@/app/_components/ui/field";
import { Alert } from "@/app/_components/ui/layout";
import { errorInfo } from "@/app/_lib/errors";
import { useTRPC } from "@/app/_lib/trpc";
import type { AppRouter } from "@/server/api/root";

export type NotificationChannel = inferRouterOutputs<AppRouter>["notificationChannels"]["list"]["items"][number];

/** Add a notification channel, or edit one when `channel` is given (its notifier is then fixed). */
export function ChannelFormDialog({ channel, onClose }: { channel?: NotificationChannel; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState(channel?.name ?? "");
  // A new channel is offered as the default for failures; ticked until the operator decides, while failures have no channel yet.
  const coverage = useQuery({ ...trpc.notificationChannels.failureCoverage.queryOptions({}), enabled: !channel });
  const [forFailures, setForFailures] = useState<boolean | null>(null);
  const defaultForFailures = forFailures ?? (coverage.data ? !coverage.data.defaultPolicy.hasFailureChannel : false);
  const form = useContributionConfig("notifiers", { id: channel?.notifier, config: channel?.config }, () => {});
  const { contributions: notifiers, id: notifier, contribution, config } = form;

  const onSuccess = async () => {
    await queryClient.invalidateQueries();
    toast.success(channel ? `Channel "${name}" saved` : `Channel "${name}" created`);
    onClose();
  };
  const create = useMutation(trpc.notificationChannels.create.mutationOptions({ onSuccess }));
  const update = useMutation(trpc.notificationChannels.update.mutationOptions({ onSuccess }));
  const save = channel ? update : create;
  const failure = errorInfo(save.error);
  const fields = failure?.fields ?? {};
  const explained = errorsShownAtFields(fields, ["name", "notifier", "defaultForFailures"], "config");

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (channel) update.mutate({ id: channel.id, name, config });
    else create.mutate({ name, notifier, config, defaultForFailures });
  }

  return (
    <Dialog
      open
      wide
      onClose={onClose}
      title={channel ? "Edit notification channel" : "Add notification channel"}
      description="Where backup and restore notifications go. Policies choose which channels hear about which environments. Save, then use Send test to check it."
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>Cancel</Button>
          <Button type="submit" form="notification-channel-form" loading={save.isPending} disabled={!notifier}>Save</Button>
        </>
      }
    >
      <form id="notification-channel-form" onSubmit={onSubmit} className="space-y-4" noValidate>
        {failure && !explained && <Alert tone="danger">{failure.message}</Alert>}
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="Name" htmlFor="channel-name" hint="How policies and the delivery log refer to it" error={fields.name}>
            <Input id="channel-name" placeholder="e.g. Ops team email" value={name} onChange={(e) => setName(e.target.value)} autoFocus invalid={Boolean(fields.name)} />
          </Field>
          <Field label="Notifier" htmlFor="channel-notifier" hint={contribution?.description ?? undefined} error={fields.notifier}>
            <Select id="channel-notifier" value={notifier} disabled={Boolean(channel) || notifiers.isLoading} invalid={Boolean(fields.notifier)} onChange={(e) => form.choose(e.target.value)}>
              {notifiers.isLoading && <option value="">Loading…</option>}
              {notifier && !contribution && !notifiers.isLoading && <option value={notifier}>{notifier}</option>}
              {notifiers.items.map((n) => (
                <option key={n.id} value={n.id}>{n.title}</option>
              ))}
            </Select>
          </Field>
        </div>
        {contribution ? (
          <SchemaForm schema={contribution.configSchema} value={config} onChange={form.edit} errors={fields} idPrefix="channel-config" saved={channel?.config} />
        ) : (
          !notifiers.isLoading && <Alert tone="warning">{notifier ? `No installed plugin provides the notifier "${notifier}".` : "No plugin provides a notifier."} Check the Plugins page.</Alert>
        )}
        {!channel && (
          <div className="border-t border-slate-200 pt-4">
            <Checkbox
              id="channel-default-for-failures"
              label="Send failed backups here by default"
              hint={
                coverage.data && !coverage.data.defaultPolicy.hasFailureChannel
                  ? "No channel hears of failed backups yet. Adds this channel to the default backup policy and turns on “Notify on failure” there; environments that choose their own channels keep them."
                  : "Adds this channel to the default backup policy's channels and turns on “Notify on failure” there; environments that choose their own channels keep them."
              }
              checked={defaultForFailures}
              onChange={(e) => setForFailures(e.target.checked)}
            />
            {fields.defaultForFailures && (
              <p className="mt-1 ml-6.5 text-xs text-red-600" role="alert">
                {fields.defaultForFailures}
              </p>
            )}
          </div>
        )}
      </form>
    </Dialog>
  );
}
