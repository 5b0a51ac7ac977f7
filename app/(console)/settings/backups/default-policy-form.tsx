"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent, type ReactNode } from "react";
import { FieldEditor, usePolicyOptions, type Policy, type PolicyField } from "@/app/_components/policies/policy-fields";
import { ScheduleEditor } from "@/app/_components/policies/schedule-editor";
import { Button } from "@/app/_components/ui/button";
import { Alert } from "@/app/_components/ui/layout";
import { useConsoleSession } from "@/app/_lib/console-context";
import { errorInfo } from "@/app/_lib/errors";
import { useTRPC } from "@/app/_lib/trpc";

function Section({ id, title, description, children }: { id?: string; title: string; description: ReactNode; children: ReactNode }) {
  return (
    <section id={id} className="grid scroll-mt-4 gap-x-8 gap-y-4 py-6 first:pt-0 lg:grid-cols-3">
      <div>
        <h3 className="text-sm font-semibold text-slate-900">{title}</h3>
        <p className="mt-1 text-sm text-slate-500">{description}</p>
      </div>
      <div className="space-y-4 lg:col-span-2">{children}</div>
    </section>
  );
}

/** The organization's default policy; admins edit it, everyone else sees it read-only. */
export function DefaultPolicyForm({ policy }: { policy: Policy }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can } = useConsoleSession();
  const editable = can("admin");
  const options = usePolicyOptions();
  const [draft, setDraft] = useState<Policy>(() => {
    const { enabled, schedule, timezone, storageLocationId, includeFilestore, filestoreLayout, retention, notifyOnSuccess, notifyOnFailure, notificationChannelIds, copies, encrypt, drill, spreadMinutes, retries } = policy;
    return { enabled, schedule, timezone, storageLocationId, includeFilestore, filestoreLayout, retention, notifyOnSuccess, notifyOnFailure, notificationChannelIds, copies, encrypt, drill, spreadMinutes, retries };
  });
  const save = useMutation(trpc.backupPolicies.putDefault.mutationOptions({ onSuccess: () => queryClient.invalidateQueries() }));
  const failure = errorInfo(save.error);

  function edit(patch: Partial<Policy>) {
    save.reset();
    setDraft((current) => ({ ...current, ...patch }));
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    save.mutate(draft);
  }

  const field = (name: PolicyField) => <FieldEditor field={name} draft={draft} onChange={edit} options={options} idPrefix="default-policy" disabled={!editable} errors={failure?.fields} />;

  return (
    <form onSubmit={onSubmit} noValidate>
      <div className="mb-6 space-y-3 empty:hidden">
        {!editable && <Alert tone="info">Only admins can change the default policy.</Alert>}
        {failure && <Alert tone="danger">{failure.message}</Alert>}
      </div>
      <div className="divide-y divide-slate-200">
        <Section title="Automatic backups" description="Turn scheduled backups off for environments that need none; they then no longer count toward compliance.">
          {field("enabled")}
        </Section>
        <Section title="Schedule" description="When scheduled backups run: pick a preset or type a cron expression. Times are in the time zone you choose. A start window spreads the environments' starts over the hours after the scheduled time.">
          <ScheduleEditor
            idPrefix="default-policy-schedule"
            schedule={draft.schedule}
            timezone={draft.timezone}
            onScheduleChange={(schedule) => edit({ schedule })}
            onTimezoneChange={(timezone) => edit({ timezone })}
            disabled={!editable}
          />
          {field("spreadMinutes")}
        </Section>
        <Section title="Storage" description="Where scheduled backups are kept, whether they include the filestore, and whether they are encrypted to the organization key.">
          <div className="max-w-lg">{field("storageLocationId")}</div>
          {field("includeFilestore")}
          {draft.includeFilestore && field("filestoreLayout")}
          {field("encrypt")}
        </Section>
        <Section title="Second copies" description="Further storage locations that receive a copy of each verified backup, itself read back and verified (3-2-1). Restores and downloads read from the first copy that answers.">
          {field("copies")}
        </Section>
        <Section
          title="Retention"
          description="Grandfather-father-son: how many scheduled backups to keep at each level. Manual backups keep the retention chosen when they were taken, and the newest successful backup is never pruned."
        >
          {field("retention")}
        </Section>
        <Section title="Retries" description="A scheduled backup that fails for a transient reason (connection refused or reset, a timeout, storage unavailable, a lost worker) is tried again as the same backup, each attempt in its log; you hear of it only once the last attempt failed.">
          {field("retries")}
        </Section>
        <Section title="Restore drills" description="Proof that backups restore: on a schedule, the latest verified backup is restored into a scratch copy, its row counts and files are compared with what the backup recorded, and the copy is dropped.">
          {field("drill")}
        </Section>
        <Section id="notifications" title="Notifications" description="Who hears about scheduled backups: the channels below, on success, on failure or both.">
          {field("notifyOnSuccess")}
          {field("notifyOnFailure")}
          <div>
            <p className="mb-2 text-sm font-medium text-slate-700">Channels</p>
            {field("notificationChannelIds")}
          </div>
        </Section>
      </div>
      {editable && (
        <div className="mt-2 flex items-center justify-end gap-3 border-t border-slate-200 pt-5">
          {save.isSuccess && (
            <p className="text-sm text-emerald-700" role="status">
              Default policy saved. Every environment that inherits these settings follows it now.
            </p>
          )}
          <Button type="submit" loading={save.isPending}>
            Save default policy
          </Button>
        </div>
      )}
    </form>
  );
}
