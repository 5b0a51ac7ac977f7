"use client";

import { ShieldCheck } from "lucide-react";
import Link from "next/link";
import type { DataColumn } from "@/app/_components/ui/data-table";
import { ExpandableText } from "@/app/_components/ui/expandable-text";
import { formatDateTime } from "@/app/_lib/format";
import { RestoreStatus } from "./restore-status";
import { environmentHref, type RestoreItem } from "./restore-types";

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
      <Link href={environmentHref(restore.targetProjectId, restore.targetEnvironmentId)} className="font-medium break-words text-slate-900 hover:text-brand-700">
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

function Backup({ restore, environmentId }: { restore: RestoreItem; environmentId: string }) {
  const takenAt = formatDateTime(restore.backupTakenAt);
  return (
    <>
      {restore.backupId ? (
        <>
          <p className="font-medium break-words text-slate-900">{restore.backupName || `Backup of ${takenAt}`}</p>
          {restore.backupName && <p className="text-xs text-slate-500">taken {takenAt}</p>}
        </>
      ) : (
        <span className="text-slate-500">a deleted backup</span>
      )}
      {restore.sourceEnvironmentId !== environmentId && <p className="text-xs text-slate-500">of {restore.sourceEnvironmentName ?? "a deleted environment"}</p>}
    </>
  );
}

function KeptCopy({ restore }: { restore: RestoreItem }) {
  const copy = restore.previousCopy;
  if (!copy) return <span className="text-slate-400">—</span>;
  return (
    <div className="space-y-1 text-xs">
      <ExpandableText text={copy.description} className="text-slate-600" />
      {copy.discardedAt && <p className="text-slate-400">Discarded {formatDateTime(copy.discardedAt)}</p>}
    </div>
  );
}

/** An environment's restore history as table columns: the request and the status always, the rest as room allows. */
export function restoreHistoryColumns(environmentId: string): DataColumn<RestoreItem>[] {
  return [
    {
      id: "requested",
      header: "Requested",
      priority: 1,
      width: 176,
      cell: (r) => (
        <>
          <span className="whitespace-nowrap tabular-nums">{formatDateTime(r.createdAt)}</span>
          {r.requestedBy && <p className="text-xs break-all text-slate-400">by {r.requestedBy}</p>}
        </>
      ),
    },
    { id: "status", header: "Status", priority: 1, width: 208, cell: (r) => <RestoreStatus restore={r} /> },
    { id: "target", header: "Target", priority: 2, width: 176, cell: (r) => <Target restore={r} environmentId={environmentId} /> },
    { id: "backup", header: "Backup", priority: 3, width: 192, cell: (r) => <Backup restore={r} environmentId={environmentId} /> },
    { id: "copy", header: "Kept copy", priority: 4, width: 208, cell: (r) => <KeptCopy restore={r} /> },
    { id: "options", header: "Options", priority: 5, width: 168, cell: (r) => <Options restore={r} /> },
  ];
}
