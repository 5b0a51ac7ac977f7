"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { Button } from "@/app/_components/ui/button";
import { Dialog } from "@/app/_components/ui/dialog";
import { Checkbox, Field, Input, Select, Textarea } from "@/app/_components/ui/field";
import { useContributions } from "@/app/_components/plugin-contributions";
import { Alert } from "@/app/_components/ui/layout";
import { errorInfo } from "@/app/_lib/errors";
import { useTRPC } from "@/app/_lib/trpc";
import { RETENTION_CLASSES } from "@/shared/enum-values";

const RETENTION_LABEL: Record<(typeof RETENTION_CLASSES)[number], string> = {
  daily: "Daily (kept 7 days)",
  weekly: "Weekly (kept 4 weeks)",
  monthly: "Monthly (kept 12 months)",
  yearly: "Yearly (kept 2 years)",
  permanent: "Permanent (never deleted automatically)",
};

/**
 * The seed's Create Backup: storage location, include filestore, retention; plus a name and notes for the log.
 * `pre_upgrade` ("Prepare for upgrade"): the backup is held until an operator releases it; its retention applies after.
 */
export function CreateBackupDialog({
  environment,
  purpose = "manual",
  onClose,
}: {
  environment: { id: string; name: string; source: string; restoring?: boolean };
  purpose?: "manual" | "pre_upgrade";
  onClose: () => void;
}) {
  const upgrade = purpose === "pre_upgrade";
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const locations = useQuery(trpc.storageLocations.list.queryOptions({ limit: 200 }));
  const [name, setName] = useState("");
  const [notes, setNotes] = useState("");
  const [storageLocationId, setStorageLocationId] = useState<string>();
  const effective = useQuery(trpc.backupPolicies.getEffective.queryOptions({ id: environment.id }));
  // Files are offered only when the source backs any up (it declares a `filestore` artifact), under its name for them.
  const declared = useContributions("sources").find(environment.source)?.artifacts;
  const files = declared ? declared.filestore : { title: "Files", description: "Uploaded documents, images and attachments, for sources that have them" };
  const [includeFilestore, setIncludeFilestore] = useState<boolean>();
  const [retention, setRetention] = useState<(typeof RETENTION_CLASSES)[number]>("monthly");
  const create = useMutation(
    trpc.backups.create.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        toast.success(upgrade ? `Pre-upgrade backup of "${environment.name}" queued` : `Backup of "${environment.name}" queued`);
        onClose();
      },
    }),
  );
  const items = locations.data?.items ?? [];
  const policy = effective.data?.policy;
  // The environment's backup policy says where its backups go and whether they carry the filestore.
  const chosen = storageLocationId ?? policy?.storageLocationId ?? items.find((l) => l.isDefault)?.id ?? items[0]?.id ?? "";
  const withFilestore = includeFilestore ?? policy?.includeFilestore ?? true;
  const failure = errorInfo(create.error);
  const noStorage = locations.isSuccess && items.length === 0;

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ environmentId: environment.id, type: purpose, name, notes, storageLocationId: chosen || undefined, includeFilestore: withFilestore, retention });
  }

  return (
    <Dialog
      open
      onClose={onClose}
      title={upgrade ? "Prepare for upgrade" : "Create backup"}
      description={
        upgrade
          ? `A verified backup of ${environment.name} recording the version it runs, held until you release it: retention never removes it meanwhile.`
          : `A backup of ${environment.name}, now. It starts as soon as nothing else runs on this environment.`
      }
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>Cancel</Button>
          <Button type="submit" form="create-backup-form" loading={create.isPending} disabled={noStorage}>{upgrade ? "Take pre-upgrade backup" : "Create backup"}</Button>
        </>
      }
    >
      <form id="create-backup-form" onSubmit={onSubmit} className="space-y-4" noValidate>
        {failure && <Alert tone="danger">{failure.message}</Alert>}
        {environment.restoring && <Alert tone="info">A restore of {environment.name} is queued or running: a backup requested now waits until the restore ends.</Alert>}
        {noStorage && (
          <Alert tone="warning" title="No storage location yet">
            Backups need a destination. <Link href="/settings/storage" className="font-medium underline">Add a storage location</Link> first.
          </Alert>
        )}
        <Field label="Name (optional)" htmlFor="backup-name" hint="e.g. “Before the upgrade to version 18”" error={failure?.fields.name}>
          <Input id="backup-name" value={name} onChange={(e) => setName(e.target.value)} autoFocus />
        </Field>
        <Field label="Notes (optional)" htmlFor="backup-notes" hint="Why this backup: it is recorded in the manifest and the activity log" error={failure?.fields.notes}>
          <Textarea id="backup-notes" rows={3} className="font-sans text-sm" value={notes} onChange={(e) => setNotes(e.target.value)} />
        </Field>
        <div className="grid gap-4">
          <Field label="Storage location" htmlFor="backup-storage" error={failure?.fields.storageLocationId}>
            <Select id="backup-storage" value={chosen} onChange={(e) => setStorageLocationId(e.target.value)} disabled={noStorage}>
              {items.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                  {l.isDefault ? " (default)" : ""}
                </option>
              ))}
            </Select>
          </Field>
          <Field label={upgrade ? "Retention once released" : "Retention period"} htmlFor="backup-retention" error={failure?.fields.retention}>
            <Select id="backup-retention" value={retention} onChange={(e) => setRetention(e.target.value as typeof retention)}>
              {RETENTION_CLASSES.map((r) => (
                <option key={r} value={r}>
                  {RETENTION_LABEL[r]}
                </option>
              ))}
            </Select>
          </Field>
        </div>
        {files && <Checkbox id="backup-filestore" label={`Include ${files.title.toLowerCase()}`} hint={files.description} checked={withFilestore} onChange={(e) => setIncludeFilestore(e.target.checked)} />}
      </form>
    </Dialog>
  );
}
