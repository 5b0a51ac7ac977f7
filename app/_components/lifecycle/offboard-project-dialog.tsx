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

/** "Offboard client": every environment of the project destroyed (final backup first), then the project archived. */
export function OffboardProjectDialog({ project, onClose }: { project: { id: string; name: string; environmentCount: number }; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [keepBackups, setKeepBackups] = useState<KeepFinalBackups>("1_year");
  const [confirm, setConfirm] = useState("");
  const offboard = useMutation(trpc.lifecycle.offboardProject.mutationOptions());
  const failure = errorInfo(offboard.error);
  const close = () => {
    void queryClient.invalidateQueries();
    onClose();
  };
  if (offboard.data) {
    return (
      <Dialog open onClose={close} wide title="Offboarding client" footer={<Button variant="secondary" onClick={close}>Close</Button>}>
        <div className="space-y-5 divide-y divide-slate-100">
          {offboard.data.items.length === 0 && <p className="text-sm text-slate-700">The project had no active environment: it is archived.</p>}
          {offboard.data.items.map((d) => (
            <div key={d.id} className="pt-4 first:pt-0">
              <DestructionProgress destruction={d} />
            </div>
          ))}
        </div>
      </Dialog>
    );
  }
  return (
    <Dialog
      open
      onClose={onClose}
      wide
      title="Offboard client"
      description={project.name}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>Cancel</Button>
          <Button variant="danger" loading={offboard.isPending} disabled={confirm !== project.name} onClick={() => offboard.mutate({ id: project.id, confirm, keepBackups })}>
            Offboard client
          </Button>
        </>
      }
    >
      <div className="space-y-4 text-sm text-slate-700">
        {failure && <Alert tone="danger">{failure.message}</Alert>}
        <p>
          Each of its {project.environmentCount} active environment(s) is destroyed: a verified final backup, then its database and files removed from its server, then
          archived. Once the last one is, the project is archived too. An environment whose final backup fails keeps its data and the project stays active.
        </p>
        <KeepFinalBackupsChoice value={keepBackups} onChange={setKeepBackups} />
        <TypedConfirmation id="offboard-confirm" name={project.name} value={confirm} onChange={setConfirm} error={failure?.fields.confirm} />
      </div>
    </Dialog>
  );
}
