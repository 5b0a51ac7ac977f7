"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button } from "@/app/_components/ui/button";
import { Dialog } from "@/app/_components/ui/dialog";
import { Alert } from "@/app/_components/ui/layout";
import { errorInfo } from "@/app/_lib/errors";
import { useTRPC } from "@/app/_lib/trpc";
import type { KeepFinalBackups } from "@/shared/enum-values";
import { DestructionProgress } from "./destruction-progress";
import { KeepFinalBackupsChoice } from "./keep-final-backups";
import { TypedConfirmation } from "./typed-confirmation";

/** "Destroy environment": a verified final backup, then its database and files removed from its server, then archived. */
export function DestroyEnvironmentDialog({ environment, onClose }: { environment: { id: string; name: string; projectName: string; serverName: string }; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [keepBackups, setKeepBackups] = useState<KeepFinalBackups>("1_year");
  const [confirm, setConfirm] = useState("");
  const destroy = useMutation(trpc.lifecycle.destroyEnvironment.mutationOptions());
  const failure = errorInfo(destroy.error);
  const close = () => {
    void queryClient.invalidateQueries();
    onClose();
  };
  if (destroy.data) {
    return (
      <Dialog open onClose={close} title="Destroying environment" footer={<Button variant="secondary" onClick={close}>Close</Button>}>
        <DestructionProgress destruction={destroy.data} />
      </Dialog>
    );
  }
  return (
    <Dialog
      open
      onClose={onClose}
      wide
      title="Destroy environment"
      description={`${environment.projectName} / ${environment.name} on ${environment.serverName}`}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>Cancel</Button>
          <Button variant="danger" loading={destroy.isPending} disabled={confirm !== environment.name} onClick={() => destroy.mutate({ id: environment.id, confirm, keepBackups })}>
            Destroy environment
          </Button>
        </>
      }
    >
      <div className="space-y-4 text-sm text-slate-700">
        {failure && <Alert tone="danger">{failure.message}</Alert>}
        <ol className="list-decimal space-y-1 pl-5">
          <li>A final backup is taken and verified against its checksums. If it fails, nothing is removed.</li>
          <li>
            The environment&apos;s database and files are removed from <strong>{environment.serverName}</strong>.
          </li>
          <li>The environment is archived: out of active lists and compliance, never backed up again. Its backups stay restorable and downloadable.</li>
        </ol>
        <KeepFinalBackupsChoice value={keepBackups} onChange={setKeepBackups} />
        <TypedConfirmation id="destroy-confirm" name={environment.name} value={confirm} onChange={setConfirm} error={failure?.fields.confirm} />
      </div>
    </Dialog>
  );
}
