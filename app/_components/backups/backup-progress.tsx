import { formatBytes } from "@/app/_lib/format";
import { estimateRun, formatSeconds } from "@/shared/run-estimate";
import type { BackupItem } from "./backup-types";

/**
 * A running backup's phase, bytes read, and, when its expected size is known (its environment's last backup of
 * the same kind), a bar with the percentage and the time left. Numbers are tabular so the line does not jitter
 * as they tick.
 */
export function BackupProgress({ backup, attempt }: { backup: BackupItem; attempt: string | null }) {
  if (!backup.progress) return null;
  const { phase, bytes } = backup.progress;
  const { elapsedSeconds, percent, remainingSeconds } = estimateRun({ bytes, expectedBytes: backup.expectedBytes, startedAt: backup.startedAt });
  return (
    <div className="mt-1 space-y-1 text-xs text-slate-500 tabular-nums" aria-live="polite">
      {percent !== null && (
        <div className="flex items-center gap-2">
          <div className="h-1.5 w-28 overflow-hidden rounded-full bg-slate-200" role="progressbar" aria-label="Backup progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
            <div className="h-full rounded-full bg-brand-500 transition-[width]" style={{ width: `${percent}%` }} />
          </div>
          <span className="font-medium text-slate-700">{percent} %</span>
        </div>
      )}
      <p>
        {phase} · {formatBytes(bytes)}
        {backup.expectedBytes ? ` of ~${formatBytes(backup.expectedBytes)}` : ""}
      </p>
      <p>
        {formatSeconds(elapsedSeconds)} elapsed
        {remainingSeconds !== null && ` · about ${formatSeconds(remainingSeconds)} left`}
        {attempt && ` · ${attempt}`}
      </p>
    </div>
  );
}
