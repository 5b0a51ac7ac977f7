"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Play, RotateCcw } from "lucide-react";
import { useState } from "react";
import { Button } from "@/app/_components/ui/button";
import { errorMessage } from "@/app/_lib/errors";
import { useTRPC } from "@/app/_lib/trpc";

type Target = {
  environmentId: string;
  environmentName: string;
  /** Its newest run failed: the action reads "Retry". */
  failed: boolean;
  /** When its newest run finished: once that changes, a backup asked for here has run. */
  lastRunAt: string | null;
  /** A backup of it already queued or running, when known. */
  active?: "pending" | "in_progress" | "uploading" | null;
};

/**
 * "Back up now" (or "Retry" after a failure): queues a manual backup of the environment with its policy's storage and
 * filestore choice, then shows it as queued or running until the row's data says it has run.
 */
export function BackupNowButton({ target }: { target: Target }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [askedAfter, setAskedAfter] = useState<string | null | undefined>(undefined);
  const create = useMutation(trpc.backups.create.mutationOptions({ onSuccess: () => queryClient.invalidateQueries() }));
  const waiting = create.isSuccess && askedAfter === target.lastRunAt;
  if (target.active || waiting) {
    const running = target.active === "in_progress" || target.active === "uploading";
    return (
      <span className="inline-flex items-center gap-1.5 text-xs font-medium whitespace-nowrap text-brand-700" role="status">
        <span className="size-2 animate-pulse rounded-full bg-current" aria-hidden />
        {running ? "Backing up…" : "Queued…"}
      </span>
    );
  }
  const label = target.failed ? "Retry" : "Back up now";
  return (
    <span className="inline-flex flex-col items-end gap-1">
      <Button
        variant={target.failed ? "primary" : "secondary"}
        size="sm"
        className="whitespace-nowrap"
        loading={create.isPending}
        title={target.failed ? `Back up ${target.environmentName} again now` : `Back up ${target.environmentName} now`}
        onClick={() => {
          setAskedAfter(target.lastRunAt);
          create.mutate({ environmentId: target.environmentId });
        }}
      >
        {target.failed ? <RotateCcw className="size-3.5" aria-hidden /> : <Play className="size-3.5" aria-hidden />}
        {label}
      </Button>
      {create.isError && (
        <span role="alert" className="max-w-56 text-right text-xs text-red-600">
          {errorMessage(create.error)}
        </span>
      )}
    </span>
  );
}
