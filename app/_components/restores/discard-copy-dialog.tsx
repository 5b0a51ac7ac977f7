"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { useTRPC } from "@/app/_lib/trpc";
import type { RestoreItem } from "./restore-types";

/** Deletes the data a restore kept aside, after asking. */
export function DiscardCopyDialog({ restore, onClose }: { restore: RestoreItem & { previousCopy: NonNullable<RestoreItem["previousCopy"]> }; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const discard = useMutation(
    trpc.restores.discardPreviousCopy.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        onClose();
      },
    }),
  );
  return (
    <ConfirmDialog title="Discard the kept copy" confirmLabel="Discard" onClose={onClose} onConfirm={() => discard.mutate({ id: restore.id })} pending={discard.isPending} error={discard.error}>
      <p>This permanently deletes {restore.previousCopy.description}.</p>
      <p>
        The restored data of {restore.targetEnvironmentName ?? "the environment"} is not affected; after this, the way back to the data it replaced is
        {restore.safetyBackupId ? " the safety backup." : " a backup taken before the restore, if there is one."}
      </p>
    </ConfirmDialog>
  );
}
