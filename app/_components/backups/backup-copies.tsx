import { Copy } from "lucide-react";
import { Badge, type Tone } from "@/app/_components/ui/layout";
import { formatDateTime } from "@/app/_lib/format";
import type { BackupItem } from "./backup-types";

type BackupCopy = BackupItem["copies"][number];

const STATE: Record<BackupCopy["status"], string> = { pending: "waiting", copying: "copying", completed: "verified", failed: "failed" };

function describe(copy: BackupCopy): string {
  if (copy.status === "completed") return `${copy.name}: copied and verified${copy.verifiedAt ? ` ${formatDateTime(copy.verifiedAt)}` : ""}`;
  if (copy.status === "failed") return `${copy.name}: failed after ${copy.attempts} attempts: ${copy.error ?? "unknown error"}`;
  if (copy.error) return `${copy.name}: attempt ${copy.attempts} failed, retrying: ${copy.error}`;
  return `${copy.name}: ${STATE[copy.status]}`;
}

/**
 * "2 of 2 copies" for a completed backup with second copies (its own location counts as the first), each copy's
 * state on hover, and a failed copy in red with its error.
 */
export function BackupCopies({ backup }: { backup: Pick<BackupItem, "status" | "copies" | "storageLocationName"> }) {
  if (backup.status !== "completed" || backup.copies.length === 0) return null;
  const total = backup.copies.length + 1;
  const done = backup.copies.filter((c) => c.status === "completed").length + 1;
  const failed = backup.copies.filter((c) => c.status === "failed");
  const tone: Tone = failed.length > 0 ? "danger" : done === total ? "success" : "info";
  const title = [`${backup.storageLocationName ?? "Primary location"}: the backup itself`, ...backup.copies.map(describe)].join("\n");
  return (
    <div className="mt-1">
      <span title={title}>
        <Badge tone={tone}>
          <Copy className="size-3.5" aria-hidden /> {done} of {total} copies
        </Badge>
      </span>
      {failed.map((c) => (
        <p key={c.storageLocationId} className="mt-1 max-w-sm text-xs text-red-600" title={c.error ?? undefined}>
          Second copy failed: {c.name}: {c.error}
        </p>
      ))}
    </div>
  );
}
