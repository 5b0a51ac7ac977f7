import { FlaskConical, ShieldCheck } from "lucide-react";
import { Badge, type Tone } from "@/app/_components/ui/layout";
import { BACKUP_STATUS_LABEL, formatDateTime } from "@/app/_lib/format";
import { BackupCopies } from "./backup-copies";
import { BackupProgress } from "./backup-progress";
import type { BackupItem } from "./backup-types";

const STATUS_TONE: Record<string, Tone> = { pending: "neutral", in_progress: "info", uploading: "info", completed: "success", failed: "danger", expired: "warning" };

/** Status badge, verified badge, live progress or queue place, a failure's message in red, and its copies. */
export function BackupStatus({ backup }: { backup: BackupItem }) {
  const running = backup.status === "in_progress" || backup.status === "uploading";
  // A pending backup with a phase waits for its server's capacity or for its next attempt; without one it waits in its environment's queue.
  const waiting = backup.status === "pending" ? backup.progress?.phase : undefined;
  const attempt = (running || backup.status === "pending") && backup.maxAttempts ? `attempt ${backup.attempt} of ${backup.maxAttempts}` : null;
  return (
    <div>
      <div className="flex flex-wrap items-center gap-1.5">
        <Badge tone={STATUS_TONE[backup.status]}>
          {running && <span className="size-2 animate-pulse rounded-full bg-current" aria-hidden />}
          {BACKUP_STATUS_LABEL[backup.status]}
        </Badge>
        {backup.verified && (
          <span title="Checked against its checksums after upload">
            <Badge tone="success">
              <ShieldCheck className="size-3.5" aria-hidden /> Verified
            </Badge>
          </span>
        )}
        {backup.origin === "foreign" && (
          <span className="whitespace-nowrap" title={backup.trusted ? "Imported from storage without this console's signature; an admin trusted it" : "Imported from storage without this console's signature: an admin trusts it (Settings › Storage › Import backups) before it can be restored"}>
            <Badge tone="warning">{backup.trusted ? "Foreign, trusted" : "Foreign"}</Badge>
          </span>
        )}
      </div>
      {backup.restoreTestedAt && (
        <p className="mt-1 flex items-center gap-1 text-xs text-emerald-700" title="A restore drill restored this backup into a scratch copy and every check passed">
          <FlaskConical className="size-3.5" aria-hidden /> Restore tested {formatDateTime(backup.restoreTestedAt)}
        </p>
      )}
      {running && <BackupProgress backup={backup} attempt={attempt} />}
      {waiting && (
        <p className="mt-1 text-xs text-slate-500" aria-live="polite">
          {waiting.charAt(0).toUpperCase() + waiting.slice(1)}
          {attempt && !waiting.includes("attempt") && ` · ${attempt}`}
        </p>
      )}
      {backup.status === "pending" && !waiting && backup.queuePosition !== null && (
        <p className="mt-1 text-xs text-slate-500">{backup.queuePosition === 0 ? "Starting…" : `Waiting: ${backup.queuePosition} ahead in this environment's queue`}</p>
      )}
      {backup.status === "failed" && backup.error && <p className="mt-1 text-xs break-words text-red-600">{backup.error}</p>}
      <BackupCopies backup={backup} />
    </div>
  );
}
