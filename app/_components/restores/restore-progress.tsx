"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Check } from "lucide-react";
import { useEffect } from "react";
import { Alert, Badge } from "@/app/_components/ui/layout";
import { errorInfo } from "@/app/_lib/errors";
import { formatBytes } from "@/app/_lib/format";
import { estimateRun, formatSeconds } from "@/shared/run-estimate";
import { useTRPC } from "@/app/_lib/trpc";
import { RestoreLog } from "./restore-log";
import { RestoreOutcome } from "./restore-outcome";
import { RESTORE_STATUS_LABEL, RESTORE_STATUS_TONE, isRestoreActive, phaseLabel, phaseSteps, type RestoreItem } from "./restore-types";

function Phases({ restore, totalBytes }: { restore: RestoreItem; totalBytes: number | null }) {
  const bytes = restore.progress?.bytes ?? 0;
  const { percent, remainingSeconds } = estimateRun({ bytes, expectedBytes: totalBytes, startedAt: restore.progress?.readingSince ?? null });
  const steps = phaseSteps(restore);
  // Between the listed phases (starting, connecting), say what it does meanwhile.
  const between = steps.some((s) => s.state === "current") ? null : restore.progress?.phase;
  return (
    <div className="space-y-3">
      {between && <p className="text-sm text-slate-600">{phaseLabel(between)}…</p>}
      <ol className="space-y-1.5 text-sm" aria-label="Phases">
        {steps.map((step) => (
          <li key={step.id} className="flex items-center gap-2.5" aria-current={step.state === "current" ? "step" : undefined}>
            {step.state === "done" ? (
              <span className="flex size-5 items-center justify-center rounded-full bg-emerald-100 text-emerald-700" aria-hidden>
                <Check className="size-3.5" />
              </span>
            ) : step.state === "current" ? (
              <span className="flex size-5 items-center justify-center" aria-hidden>
                <span className="size-3.5 animate-spin rounded-full border-2 border-brand-600 border-t-transparent" />
              </span>
            ) : (
              <span className="flex size-5 items-center justify-center" aria-hidden>
                <span className="size-2 rounded-full bg-slate-300" />
              </span>
            )}
            <span className={step.state === "current" ? "font-medium text-slate-900" : step.state === "done" ? "text-slate-700" : "text-slate-400"}>{step.label}</span>
          </li>
        ))}
      </ol>
      {bytes > 0 && (
        <div className="space-y-1">
          {percent !== null && (
            <div className="h-1.5 overflow-hidden rounded-full bg-slate-100" role="progressbar" aria-label="Backup read" aria-valuenow={percent} aria-valuemin={0} aria-valuemax={100}>
              <div className="h-full rounded-full bg-brand-600 transition-[width]" style={{ width: `${percent}%` }} />
            </div>
          )}
          <p className="text-xs text-slate-500 tabular-nums" aria-live="polite">
            {percent !== null && <span className="font-medium text-slate-700">{percent} % · </span>}
            {formatBytes(bytes)}
            {totalBytes ? ` of ${formatBytes(totalBytes)}` : ""} read from storage
            {remainingSeconds !== null && ` · about ${formatSeconds(remainingSeconds)} left`}
          </p>
        </div>
      )}
    </div>
  );
}

/** A restore as it runs, refreshed every second: queue, phases, bytes read, log, and how it ended. */
export function RestoreProgress({ restoreId, totalBytes, onNavigate }: { restoreId: string; totalBytes: number | null; onNavigate?: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const query = useQuery(trpc.restores.get.queryOptions({ id: restoreId }, { refetchInterval: (q) => (!q.state.data || isRestoreActive(q.state.data) ? 1000 : false) }));
  const status = query.data?.status;

  // Once it ends, everything on screen (environment, backups with the new safety backup, restores) is stale.
  useEffect(() => {
    if (status === "completed" || status === "failed") void queryClient.invalidateQueries();
  }, [status, queryClient]);

  if (!query.data) {
    return query.error ? <Alert tone="danger">{errorInfo(query.error)?.message}</Alert> : <p className="py-6 text-center text-sm text-slate-500">Starting…</p>;
  }
  const r = query.data;
  const running = r.status === "in_progress";
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-2 text-sm text-slate-700">
        <Badge tone={RESTORE_STATUS_TONE[r.status]}>
          {running && <span className="size-2 animate-pulse rounded-full bg-current" aria-hidden />}
          {RESTORE_STATUS_LABEL[r.status]}
        </Badge>
        <span>
          into <strong className="font-medium text-slate-900">{r.targetEnvironmentName ?? "a deleted environment"}</strong>
          {r.targetServerName && <> on {r.targetServerName}</>}
        </span>
      </div>
      {r.status === "pending" && (
        <p className="rounded-md bg-slate-50 px-4 py-3 text-sm text-slate-600">
          Queued{r.queuePosition ? `: ${r.queuePosition} ${r.queuePosition === 1 ? "operation" : "operations"} of ${r.targetEnvironmentName ?? "the environment"} run or wait before it` : ""}. The
          environment is in maintenance until the restore ends.
        </p>
      )}
      {running && <Phases restore={r} totalBytes={totalBytes} />}
      {!isRestoreActive(r) && <RestoreOutcome restore={r} onNavigate={onNavigate} />}
      <div className="space-y-1.5">
        <h3 className="text-xs font-medium tracking-wide text-slate-500 uppercase">Log</h3>
        <RestoreLog log={r.log} />
      </div>
      {isRestoreActive(r) && <p className="text-xs text-slate-500">You can close this window: the restore goes on, and its progress stays on the environment&apos;s page.</p>}
    </div>
  );
}
