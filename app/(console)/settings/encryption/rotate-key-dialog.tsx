"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button } from "@/app/_components/ui/button";
import { Dialog } from "@/app/_components/ui/dialog";
import { Field, Input } from "@/app/_components/ui/field";
import { Alert } from "@/app/_components/ui/layout";
import { errorInfo } from "@/app/_lib/errors";
import { useTRPC } from "@/app/_lib/trpc";

/** "Rotate the organization key", confirmed by typing ROTATE. */
export function RotateKeyDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [typed, setTyped] = useState("");
  const rotate = useMutation(
    trpc.organizationKeys.rotate.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        setTyped("");
        onClose();
      },
    }),
  );
  const failure = errorInfo(rotate.error);
  return (
    <Dialog
      open={open}
      title="Rotate the organization key"
      description="A new key encrypts every backup from now on, and gets its own recovery kit to save. The current key is retired but kept: older backups stay restorable and downloadable."
      onClose={onClose}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="danger" disabled={typed !== "ROTATE"} loading={rotate.isPending} onClick={() => rotate.mutate({ confirm: typed })}>
            Rotate the key
          </Button>
        </>
      }
    >
      {failure && !failure.fields.confirm && <Alert tone="danger">{failure.message}</Alert>}
      <Field label="Type ROTATE to confirm" htmlFor="rotate-confirm" error={failure?.fields.confirm}>
        <Input id="rotate-confirm" value={typed} autoComplete="off" onChange={(e) => setTyped(e.target.value)} />
      </Field>
    </Dialog>
  );
}
