"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { useTRPC } from "@/app/_lib/trpc";
import type { Environment } from "../../environment-form-dialog";

export function DeleteEnvironmentDialog({ environment, onClose }: { environment: Environment; onClose: () => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.environments.delete.mutationOptions({
      onSuccess: async () => {
        // Mark everything stale without refetching this page's environment, which no longer exists.
        await queryClient.invalidateQueries({ refetchType: "none" });
        router.push(`/projects/${environment.projectId}`);
      },
    }),
  );
  return (
    <ConfirmDialog title="Delete environment" confirmLabel="Delete" onClose={onClose} onConfirm={() => remove.mutate({ id: environment.id })} pending={remove.isPending} error={remove.error}>
      Delete the environment <strong>{environment.name}</strong> of {environment.projectName}? Nothing on the server is touched; an environment that still has
      backups cannot be deleted.
    </ConfirmDialog>
  );
}
