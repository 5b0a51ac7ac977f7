"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import type { BackupItem } from "./backup-types";

export function DeleteBackupDialog({ backup, onClose }: { backup: BackupItem; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.backups.delete.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        onClose();
      },
    }),
  );
  return (
    <ConfirmDialog title="Delete backup" confirmLabel="Delete backup" onClose={onClose} onConfirm={() => remove.mutate({ id: backup.id })} pending={remove.isPending} error={remove.error}>
      <p>
        Delete the backup of <strong>{backup.environmentName}</strong> taken {formatDateTime(backup.createdAt)}
        {backup.name && <> (“{backup.name}”)</>}? Its files are removed from {backup.storageLocationName ?? "storage"}; this cannot be undone.
      </p>
      {backup.retentionClass === "permanent" && <p className="mt-2 font-medium text-amber-700">This backup is marked permanent.</p>}
    </ConfirmDialog>
  );
}
