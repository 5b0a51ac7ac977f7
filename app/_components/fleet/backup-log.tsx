"use client";

import { useQuery } from "@tanstack/react-query";
import { ScrollText } from "lucide-react";
import { useState } from "react";
import { Button } from "@/app/_components/ui/button";
import { Dialog } from "@/app/_components/ui/dialog";
import { QueryState } from "@/app/_components/ui/query-state";
import { formatDateTime, formatTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";

/** A backup's run log, oldest first, with its failure on top. */
function BackupLogDialog({ backupId, title, onClose }: { backupId: string; title: string; onClose: () => void }) {
  const trpc = useTRPC();
  const backup = useQuery(trpc.backups.get.queryOptions({ id: backupId }));
  return (
    <Dialog open title={title} description={backup.data ? `Started ${formatDateTime(backup.data.startedAt ?? backup.data.createdAt)}` : undefined} onClose={onClose} size="lg">
      <QueryState query={backup} what="the backup's log">
        {() => (
          <div className="space-y-3">
            {backup.data!.error && (
              <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm break-words text-red-800 ring-1 ring-red-200 ring-inset">
                {backup.data!.error}
              </p>
            )}
            {backup.data!.log.length === 0 ? (
              <p className="text-sm text-slate-500">Nothing was logged.</p>
            ) : (
              <ol className="max-h-96 space-y-1 overflow-y-auto rounded-md bg-slate-50 px-3 py-2.5 text-xs ring-1 ring-slate-200 ring-inset" aria-label="Backup log">
                {backup.data!.log.map((line, index) => (
                  <li key={`${line.at}-${index}`} className="flex gap-3">
                    <time dateTime={line.at} className="shrink-0 text-slate-400 tabular-nums">
                      {formatTime(line.at)}
                    </time>
                    <span className={`min-w-0 break-words ${line.level === "error" ? "font-medium text-red-600" : line.level === "warn" ? "text-amber-700" : "text-slate-700"}`}>{line.message}</span>
                  </li>
                ))}
              </ol>
            )}
          </div>
        )}
      </QueryState>
    </Dialog>
  );
}

/** "Open log": the failed backup's log, in a dialog over the row that showed the failure. */
export function OpenLogButton({ backupId, title }: { backupId: string; title: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="ghost" size="sm" className="whitespace-nowrap" onClick={() => setOpen(true)} title={`Open the log of ${title.toLowerCase()}`}>
        <ScrollText className="size-3.5" aria-hidden /> Open log
      </Button>
      {/* Left-aligned whatever the cell it opens from (action cells align right). */}
      {open && (
        <div className="text-left">
          <BackupLogDialog backupId={backupId} title={title} onClose={() => setOpen(false)} />
        </div>
      )}
    </>
  );
}
