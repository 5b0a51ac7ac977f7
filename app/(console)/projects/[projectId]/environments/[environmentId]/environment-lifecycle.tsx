"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { DestructionProgress, isFinished } from "@/app/_components/lifecycle/destruction-progress";
import { KEEP_FINAL_LABEL } from "@/app/_components/lifecycle/keep-final-backups";
import { PurgeDialog } from "@/app/_components/lifecycle/purge-dialog";
import { Alert, Card } from "@/app/_components/ui/layout";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import type { KeepFinalBackups } from "@/shared/enum-values";

type LifecycleEnvironment = { id: string; name: string; projectId: string; archivedAt: string | null; keepBackups: KeepFinalBackups | null; keepBackupsUntil: string | null };

/** A destroy under way (live), or what being archived means for this environment's backups. */
export function EnvironmentLifecycle({ environment }: { environment: LifecycleEnvironment }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const destructions = useQuery(
    trpc.lifecycle.list.queryOptions(
      { environmentId: environment.id },
      { refetchInterval: (q) => (q.state.data?.items.some((d) => !isFinished(d)) ? 2000 : false), enabled: !environment.archivedAt },
    ),
  );
  const running = destructions.data?.items.find((d) => !isFinished(d));
  const archivedNow = destructions.data?.items[0]?.status === "completed" && !environment.archivedAt;
  // Once the destroy archived it, the page shows the archived environment.
  useEffect(() => {
    if (archivedNow) void queryClient.invalidateQueries();
  }, [archivedNow, queryClient]);
  if (running) {
    return (
      <Card title="Destroying this environment">
        <DestructionProgress destruction={running} />
      </Card>
    );
  }
  if (!environment.archivedAt || !environment.keepBackups) return null;
  const kept = environment.keepBackupsUntil ? `until ${formatDateTime(environment.keepBackupsUntil)} (${KEEP_FINAL_LABEL[environment.keepBackups].toLowerCase()})` : "permanently";
  return (
    <Alert tone="info" title={`Destroyed and archived on ${formatDateTime(environment.archivedAt)}`}>
      Its database and files were removed from the server. Its backups are kept {kept}, pinned ones for as long as they are pinned: restore one into another or a new
      environment from the table below, or download it.
    </Alert>
  );
}

export function PurgeEnvironmentDialog({ environment, onClose }: { environment: LifecycleEnvironment; onClose: () => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const purge = useMutation(
    trpc.lifecycle.purgeEnvironment.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ refetchType: "none" });
        router.push(`/projects/${environment.projectId}`);
      },
    }),
  );
  return <PurgeDialog what="environment" name={environment.name} onPurge={(confirm) => purge.mutate({ id: environment.id, confirm })} pending={purge.isPending} error={purge.error} onClose={onClose} />;
}
