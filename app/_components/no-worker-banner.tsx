"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/app/_lib/trpc";

const REFRESH_MS = 30_000;

/** On every page while no worker process runs: nothing scheduled happens until one does. */
export function NoWorkerBanner() {
  const trpc = useTRPC();
  const workers = useQuery(trpc.workers.status.queryOptions(undefined, { refetchInterval: REFRESH_MS }));
  if (workers.data?.running !== 0) return null;
  return (
    <div role="alert" data-testid="no-worker-banner" className="mb-6 rounded-md bg-red-50 px-4 py-3 text-sm text-red-900 ring-1 ring-red-200 ring-inset">
      <p className="font-medium">No worker is running: scheduled backups and restores are not being processed</p>
      <p className="mt-0.5 text-red-800">Start one with <code className="font-mono">safehold worker</code>, or check the console&apos;s log: <code className="font-mono">safehold start</code> restarts its worker when it stops.</p>
    </div>
  );
}
