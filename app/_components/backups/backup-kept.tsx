"use client";

import { Unlock } from "lucide-react";
import { Button } from "@/app/_components/ui/button";
import { Badge } from "@/app/_components/ui/layout";
import { formatDateTime } from "@/app/_lib/format";
import { isActive, type BackupItem } from "./backup-types";

const RETENTION_SHORT: Record<string, string> = { daily: "Daily", weekly: "Weekly", monthly: "Monthly", yearly: "Yearly", permanent: "Permanent" };

/** How long a backup is kept (by policy, its class, or its destroyed environment's choice), pinned or held, and Release for a held one. */
export function BackupKept({ backup: b, canRelease, releasing, onRelease }: { backup: BackupItem; canRelease: boolean; releasing: boolean; onRelease: () => void }) {
  // Only what was stored is kept: a failed backup has nothing, a running one nothing yet.
  if (b.status === "failed") return <span className="text-slate-400" title="A failed backup holds no data to keep">—</span>;
  if (isActive(b)) return <span className="text-slate-500">{b.type === "scheduled" ? "By policy (GFS)" : RETENTION_SHORT[b.retentionClass]}, once stored</span>;
  return (
    <>
      {b.keptAfterDestroyUntil !== undefined ? (
        // Its environment was destroyed: the keep chosen then replaces GFS and classes.
        <span title="Its environment was destroyed: its backups are kept as chosen then">
          {b.keptAfterDestroyUntil ? <>After destroy<span className="block text-xs text-slate-500">until {formatDateTime(b.keptAfterDestroyUntil)}</span></> : "Permanently (destroyed)"}
        </span>
      ) : (
        <>
          {/* Scheduled backups are kept by the environment's GFS rules (see its Retention preview), not by a class. */}
          {b.type === "scheduled" ? <span title="Kept by the backup policy's daily / weekly / monthly / yearly rules">By policy (GFS)</span> : RETENTION_SHORT[b.retentionClass]}
          {b.expiresAt && <span className="block text-xs text-slate-500">until {formatDateTime(b.expiresAt)}</span>}
        </>
      )}
      {(b.pinned || b.held) && (
        <span className="mt-1 flex flex-wrap items-center gap-1">
          {b.pinned && (
            <span title="Kept whatever retention says, until unpinned">
              <Badge tone="info">Pinned</Badge>
            </span>
          )}
          {b.held && (
            <span title="A pre-upgrade backup: kept until an operator releases it">
              <Badge tone="warning">Held</Badge>
            </span>
          )}
          {b.held && canRelease && (
            <Button variant="ghost" size="sm" title="Release: its retention applies again" loading={releasing} onClick={onRelease}>
              <Unlock className="size-3.5" aria-hidden /> Release
            </Button>
          )}
        </span>
      )}
    </>
  );
}
