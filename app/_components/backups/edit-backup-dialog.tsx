"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Button } from "@/app/_components/ui/button";
import { Dialog } from "@/app/_components/ui/dialog";
import { Field, Input, Textarea } from "@/app/_components/ui/field";
import { Alert } from "@/app/_components/ui/layout";
import { Switch } from "@/app/_components/ui/switch";
import { errorInfo } from "@/app/_lib/errors";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import type { BackupItem } from "./backup-types";

/** A backup's name and notes after the fact, and whether it is pinned (kept whatever retention says). */
export function EditBackupDialog({ backup, onClose }: { backup: BackupItem; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState(backup.name);
  const [notes, setNotes] = useState(backup.notes);
  const [pinned, setPinned] = useState(backup.pinned);
  const update = useMutation(
    trpc.backups.update.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        onClose();
      },
    }),
  );
  const failure = errorInfo(update.error);
  function onSubmit(event: FormEvent) {
    event.preventDefault();
    update.mutate({ id: backup.id, name, notes, pinned });
  }
  return (
    <Dialog
      open
      onClose={onClose}
      title="Edit backup"
      description={`${backup.projectName} / ${backup.environmentName}, ${formatDateTime(backup.createdAt)}`}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>Cancel</Button>
          <Button type="submit" form="edit-backup-form" loading={update.isPending}>Save</Button>
        </>
      }
    >
      <form id="edit-backup-form" onSubmit={onSubmit} className="space-y-4" noValidate>
        {failure && <Alert tone="danger">{failure.message}</Alert>}
        <Field label="Name" htmlFor="edit-backup-name" error={failure?.fields.name}>
          <Input id="edit-backup-name" value={name} onChange={(e) => setName(e.target.value)} autoFocus />
        </Field>
        <Field label="Notes" htmlFor="edit-backup-notes" error={failure?.fields.notes}>
          <Textarea id="edit-backup-notes" rows={3} className="font-sans text-sm" value={notes} onChange={(e) => setNotes(e.target.value)} />
        </Field>
        <Switch id="edit-backup-pinned" label="Pinned" hint="Kept whatever the retention policy says, until unpinned" checked={pinned} onChange={setPinned} />
      </form>
    </Dialog>
  );
}
