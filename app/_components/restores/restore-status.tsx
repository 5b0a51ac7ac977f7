import { Badge } from "@/app/_components/ui/layout";
import { formatBytes, formatDuration } from "@/app/_lib/format";
import { RESTORE_STATUS_LABEL, RESTORE_STATUS_TONE, phaseLabel, type RestoreItem } from "./restore-types";

/** Status badge of a restore, with its phase while it runs, its duration when done, or why it failed. */
export function RestoreStatus({ restore }: { restore: RestoreItem }) {
  const running = restore.status === "in_progress";
  return (
    <div className="min-w-36">
      <Badge tone={RESTORE_STATUS_TONE[restore.status]}>
        {running && <span className="size-2 animate-pulse rounded-full bg-current" aria-hidden />}
        {RESTORE_STATUS_LABEL[restore.status]}
      </Badge>
      {running && restore.progress && (
        <p className="mt-1 text-xs text-slate-500" aria-live="polite">
          {phaseLabel(restore.progress.phase)}
          {restore.progress.bytes > 0 && ` · ${formatBytes(restore.progress.bytes)} read`}
        </p>
      )}
      {restore.status === "pending" && (
        <p className="mt-1 text-xs text-slate-500">{restore.progress ? phaseLabel(restore.progress.phase) : "Waiting for the environment's earlier operations"}</p>
      )}
      {restore.status === "completed" && <p className="mt-1 text-xs text-slate-500">in {formatDuration(restore.startedAt, restore.finishedAt)}</p>}
      {restore.status === "failed" && (
        <div className="mt-1 max-w-sm text-xs">
          {restore.error && <p className="break-words text-red-600">{restore.error}</p>}
          {!restore.swappedAt && <p className="text-slate-500">The target was left as it was.</p>}
        </div>
      )}
    </div>
  );
}
