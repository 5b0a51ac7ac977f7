"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Download, Pencil, RotateCcw, Trash2 } from "lucide-react";
import Link from "next/link";
import { useMemo, useState } from "react";
import { DownloadDialog } from "@/app/_components/downloads/download-dialog";
import { RestoreDialog } from "@/app/_components/restores/restore-dialog";
import { DataTable, type DataColumn, type RowAction } from "@/app/_components/ui/data-table";
import { ExpandableText } from "@/app/_components/ui/expandable-text";
import { useConsoleSession } from "@/app/_lib/console-context";
import { BACKUP_TYPE_LABEL, formatBytes, formatDateTime, formatDuration } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import { BackupKept } from "./backup-kept";
import { BackupProof } from "./backup-proof";
import { BackupStatus } from "./backup-status";
import { isActive, type BackupItem } from "./backup-types";
import { DeleteBackupDialog } from "./delete-backup-dialog";
import { EditBackupDialog } from "./edit-backup-dialog";

const rowLabel = (b: BackupItem) => `backup of ${formatDateTime(b.createdAt)}`;

function restoreHint(b: BackupItem): string | undefined {
  if (!b.trusted) return "A foreign backup is restored only once an admin trusts it";
  if (!b.verified) return "Only a verified backup can be restored";
  return undefined;
}

/**
 * Backups with status (live progress while running), type, size, duration and how long they are kept; each row's
 * Download / Restore / Edit / Delete in its ⋯ menu, Restore (or Download) beside it when there is room. The
 * environment column is for org-wide lists.
 */
export function BackupsTable({ items, showEnvironment }: { items: BackupItem[]; showEnvironment: boolean }) {
  const { can } = useConsoleSession();
  const operator = can("operator");
  const [deleting, setDeleting] = useState<BackupItem | null>(null);
  const [restoring, setRestoring] = useState<BackupItem | null>(null);
  const [downloading, setDownloading] = useState<BackupItem | null>(null);
  const [editing, setEditing] = useState<BackupItem | null>(null);
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const release = useMutation(trpc.backups.release.mutationOptions({ onSuccess: () => queryClient.invalidateQueries() }));
  const releasingId = release.isPending ? release.variables?.id : undefined;
  const releaseBackup = release.mutate;

  const columns = useMemo<DataColumn<BackupItem>[]>(
    () => [
      {
        id: "created",
        header: "Created",
        priority: 1,
        width: 200,
        cell: (b) => (
          <>
            <span className="whitespace-nowrap tabular-nums">{formatDateTime(b.createdAt)}</span>
            {/* Beside what it edits: the name, the notes, and whether it is pinned. */}
            {operator && (
              <button
                type="button"
                className="ml-1.5 rounded p-0.5 align-[-2px] text-slate-400 hover:bg-slate-100 hover:text-slate-700"
                aria-label={`Edit ${rowLabel(b)}`}
                title="Edit the name and notes, pin or unpin"
                onClick={() => setEditing(b)}
              >
                <Pencil className="size-3.5" aria-hidden />
              </button>
            )}
            {b.name && <p className="text-xs font-medium break-words text-slate-700">{b.name}</p>}
            {b.notes && <ExpandableText text={b.notes} className="text-xs text-slate-500" />}
            {b.requestedBy && <p className="text-xs break-all text-slate-400">by {b.requestedBy}</p>}
          </>
        ),
      },
      ...(showEnvironment
        ? [
            {
              id: "environment",
              header: "Environment",
              priority: 2,
              width: 180,
              cell: (b: BackupItem) => (
                <>
                  <Link href={`/projects/${b.projectId}/environments/${b.environmentId}`} className="font-medium break-words text-slate-900 hover:text-brand-700">
                    {b.environmentName}
                  </Link>
                  <p className="text-xs break-words text-slate-500">{b.projectName}</p>
                </>
              ),
            },
          ]
        : []),
      {
        id: "status",
        header: "Status",
        priority: 1,
        width: 236,
        cell: (b) => (
          <>
            <BackupStatus backup={b} />
            {b.status === "completed" && <BackupProof backup={b} />}
          </>
        ),
      },
      { id: "size", header: "Size", priority: 3, width: 96, className: "whitespace-nowrap tabular-nums", cell: (b) => formatBytes(b.sizeBytes) },
      {
        id: "kept",
        header: "Kept",
        priority: 4,
        width: 176,
        cell: (b) => <BackupKept backup={b} canRelease={operator} releasing={releasingId === b.id} onRelease={() => releaseBackup({ id: b.id })} />,
      },
      { id: "type", header: "Type", priority: 5, width: 112, cell: (b) => BACKUP_TYPE_LABEL[b.type] },
      { id: "duration", header: "Duration", priority: 6, width: 112, className: "whitespace-nowrap tabular-nums", cell: (b) => formatDuration(b.startedAt, b.finishedAt) },
    ],
    [operator, showEnvironment, releasingId, releaseBackup],
  );

  const actionsFor = (b: BackupItem) => {
    const completed = b.status === "completed";
    const actions: RowAction[] = [];
    if (completed) actions.push({ id: "download", label: "Download", icon: <Download aria-hidden />, hint: "Download links", onSelect: () => setDownloading(b) });
    if (operator && completed) actions.push({ id: "restore", label: "Restore", icon: <RotateCcw aria-hidden />, disabled: Boolean(restoreHint(b)), hint: restoreHint(b) ?? `Restore the ${rowLabel(b)}`, onSelect: () => setRestoring(b) });
    if (operator) actions.push({ id: "edit", label: "Edit name and notes", icon: <Pencil aria-hidden />, onSelect: () => setEditing(b) });
    if (operator && !isActive(b)) actions.push({ id: "delete", label: "Delete", icon: <Trash2 aria-hidden />, danger: true, onSelect: () => setDeleting(b) });
    return actions;
  };

  return (
    <>
      <DataTable
        label="Backups"
        data={items}
        columns={columns}
        rowKey={(b) => b.id}
        rowLabel={rowLabel}
        actions={actionsFor}
        // An operator's everyday action is a restore; a viewer's is a download.
        primaryAction={(b) => actionsFor(b).find((a) => a.id === (operator ? "restore" : "download"))}
        rowAttributes={(b) => ({ "data-backup-id": b.id, "data-status": b.status })}
      />
      {deleting && <DeleteBackupDialog backup={deleting} onClose={() => setDeleting(null)} />}
      {restoring && <RestoreDialog backup={restoring} onClose={() => setRestoring(null)} />}
      {downloading && <DownloadDialog backup={downloading} onClose={() => setDownloading(null)} />}
      {editing && <EditBackupDialog backup={editing} onClose={() => setEditing(null)} />}
    </>
  );
}
