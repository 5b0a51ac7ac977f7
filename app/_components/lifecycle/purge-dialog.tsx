"use client";

import { useState } from "react";
import { Button } from "@/app/_components/ui/button";
import { Dialog } from "@/app/_components/ui/dialog";
import { Alert } from "@/app/_components/ui/layout";
import { errorInfo } from "@/app/_lib/errors";
import { TypedConfirmation } from "./typed-confirmation";

/** Purge an archived environment or project: its backups leave every storage location for good, then it is gone. */
export function PurgeDialog({ what, name, onPurge, pending, error, onClose }: { what: "environment" | "project"; name: string; onPurge: (confirm: string) => void; pending: boolean; error: unknown; onClose: () => void }) {
  const [confirm, setConfirm] = useState("");
  const failure = errorInfo(error);
  return (
    <Dialog
      open
      onClose={onClose}
      title={`Purge ${what}`}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>Cancel</Button>
          <Button variant="danger" loading={pending} disabled={confirm !== name} onClick={() => onPurge(confirm)}>
            Purge {what}
          </Button>
        </>
      }
    >
      <div className="space-y-4 text-sm text-slate-700">
        {failure && <Alert tone="danger">{failure.message}</Alert>}
        <p>
          Every backup of <strong>{name}</strong>
          {what === "project" ? " and of each of its environments" : ""} is removed from every storage location, second copies included, then the {what} itself.
          This cannot be undone.
        </p>
        <TypedConfirmation id="purge-confirm" name={name} value={confirm} onChange={setConfirm} error={failure?.fields.confirm} />
      </div>
    </Dialog>
  );
}
