"use client";

import { ChevronDown, ChevronRight, ShieldCheck } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { Button } from "@/app/_components/ui/button";
import { Td } from "@/app/_components/ui/layout";
import { formatDateTime } from "@/app/_lib/format";
import { RestoreLog } from "./restore-log";
import { RestoreStatus } from "./restore-status";
import { environmentHref, type RestoreItem } from "./restore-types";

const HISTORY_COLUMNS = 7;

function Target({ restore, environmentId }: { restore: RestoreItem; environmentId: string }) {
  if (restore.targetEnvironmentId === environmentId) {
    return (
      <>
        <span className="font-medium text-slate-900">This environment</span>
        {restore.target === "original" && <p className="text-xs text-slate-500">rollback</p>}
      </>
    );
  }
  if (!restore.targetEnvironmentId || !restore.targetProjectId) return <span className="text-slate-500">into a deleted environment</span>;
  return (
    <>
      into{" "}
      <Link href={environmentHref(restore.targetProjectId, restore.targetEnvironmentId)} className="font-medium text-slate-900 hover:text-brand-700">
        {restore.targetEnvironmentName}
      </Link>
      {restore.targetServerName && <p className="text-xs text-slate-500">on {restore.targetServerName}</p>}
      {restore.target === "new_environment" && <p className="text-xs text-slate-500">created by the restore</p>}
    </>
  );
}

function Options({ restore }: { restore: RestoreItem }) {
  // The safety backup is recorded when it starts; it is known to be complete once the restore went past it.
  const safetyTaken = restore.safetyBackupId && (restore.status === "completed" || restore.swappedAt);
  const safety = !restore.safetyBackup ? (
    "No safety backup"
  ) : safetyTaken ? (
    <span className="inline-flex items-center gap-1 text-emerald-700">
      <ShieldCheck className="size-3.5" aria-hidden /> Safety backup taken
    </span>
  ) : (
    "Safety backup first"
  );
  return (
    <ul className="space-y-0.5 text-xs text-slate-600">
      <li>{safety}</li>
      <li>{restore.includeFilestore ? "Database and filestore" : "Database only"}</li>
      {restore.neutralize && <li>Neutralized</li>}
    </ul>
  );
}

/** One restore in an environment's history; its log unfolds below it. */
export function RestoreHistoryRow({ restore, environmentId, canDiscard, onDiscard }: { restore: RestoreItem; environmentId: string; canDiscard: boolean; onDiscard: () => void }) {
  const [open, setOpen] = useState(false);
  const copy = restore.previousCopy;
  const takenAt = formatDateTime(restore.backupTakenAt);
  return (
    <>
      <tr className="align-top">
        <Td className="whitespace-nowrap">
          {formatDateTime(restore.createdAt)}
          {restore.requestedBy && <p className="text-xs text-slate-400">by {restore.requestedBy}</p>}
        </Td>
        <Td>
          {restore.backupId ? (
            <>
              <p className="max-w-56 truncate font-medium text-slate-900" title={restore.backupName || undefined}>
                {restore.backupName || `Backup of ${takenAt}`}
              </p>
              {restore.backupName && <p className="text-xs text-slate-500">taken {takenAt}</p>}
            </>
          ) : (
            <span className="text-slate-500">a deleted backup</span>
          )}
          {restore.sourceEnvironmentId !== environmentId && <p className="text-xs text-slate-500">of {restore.sourceEnvironmentName ?? "a deleted environment"}</p>}
        </Td>
        <Td>
          <Target restore={restore} environmentId={environmentId} />
        </Td>
        <Td>
          <Options restore={restore} />
        </Td>
        <Td>
          <RestoreStatus restore={restore} />
        </Td>
        <Td className="max-w-64">
          {copy ? (
            <div className="space-y-1.5 text-xs">
              <p className="break-words text-slate-600">{copy.description}</p>
              {copy.discardedAt ? (
                <p className="text-slate-400">Discarded {formatDateTime(copy.discardedAt)}</p>
              ) : (
                canDiscard && (
                  <Button variant="secondary" size="sm" onClick={onDiscard}>
                    Discard
                  </Button>
                )
              )}
            </div>
          ) : (
            <span className="text-slate-400">—</span>
          )}
        </Td>
        <Td className="text-right">
          <Button variant="ghost" size="sm" aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? <ChevronDown className="size-4" aria-hidden /> : <ChevronRight className="size-4" aria-hidden />} Log
          </Button>
        </Td>
      </tr>
      {open && (
        <tr>
          <td colSpan={HISTORY_COLUMNS} className="px-4 pb-4">
            <RestoreLog log={restore.log} />
          </td>
        </tr>
      )}
    </>
  );
}
