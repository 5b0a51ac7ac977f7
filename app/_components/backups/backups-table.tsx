"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Download, Pencil, RotateCcw, Trash2, Unlock } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { DownloadDialog } from "@/app/_components/downloads/download-dialog";
import { RestoreDialog } from "@/app/_components/restores/restore-dialog";
import { Button } from "@/app/_components/ui/button";
import { Badge, Table, Td, Th } from "@/app/_components/ui/layout";
import { useConsoleSession } from "@/app/_lib/console-context";
import { BACKUP_TYPE_LABEL, formatBytes, formatDateTime, formatDuration } from "@/app/_lib/format";
import { BackupProof } from "./backup-proof";
import { BackupStatus } from "./backup-status";
import { isActive, type BackupItem } from "./backup-types";
import { DeleteBackupDialog } from "./delete-backup-dialog";
import { EditBackupDialog } from "./edit-backup-dialog";
import { useTRPC } from "@/app/_lib/trpc";

const RETENTION_SHORT: Record<string, string> = { daily: "Daily", weekly: "Weekly", monthly: "Monthly", yearly: "Yearly", permanent: "Permanent" };

/** Backups with status, type, size, duration, verified badge and errors, and Restore / Delete for operators; the environment column is for org-wide lists. */
export function BackupsTable({ items, showEnvironment }: { items: BackupItem[]; showEnvironment: boolean }) {
  const { can } = useConsoleSession();
  const [deleting, setDeleting] = useState<BackupItem | null>(null);
  const [restoring, setRestoring] = useState<BackupItem | null>(null);
  const [downloading, setDownloading] = useState<BackupItem | null>(null);
  const [editing, setEditing] = useState<BackupItem | null>(null);
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = { onSuccess: () => queryClient.invalidateQueries() };
  const release = useMutation(trpc.backups.release.mutationOptions(refresh));
  return (
    <>
      <Table>
        <thead>
          <tr>
            <Th>Created</Th>
            {showEnvironment && <Th>Environment</Th>}
            <Th>Type</Th>
            <Th>Status</Th>
            <Th>Size</Th>
            <Th>Duration</Th>
            <Th>Kept</Th>
            <Th>
              <span className="sr-only">Actions</span>
            </Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {items.map((b) => (
            <tr key={b.id} className="align-top">
              <Td className="whitespace-nowrap">
                {formatDateTime(b.createdAt)}
                {/* Beside what it edits: the name, the notes, and whether it is pinned. */}
                {can("operator") && (
                  <button
                    type="button"
                    className="ml-1.5 rounded p-0.5 align-[-2px] text-slate-400 hover:bg-slate-100 hover:text-slate-700"
                    aria-label={`Edit backup of ${formatDateTime(b.createdAt)}`}
                    title="Edit the name and notes, pin or unpin"
                    onClick={() => setEditing(b)}
                  >
                    <Pencil className="size-3.5" aria-hidden />
                  </button>
                )}
                {b.name && <p className="max-w-56 truncate text-xs font-medium text-slate-700" title={b.name}>{b.name}</p>}
                {b.notes && <p className="max-w-56 truncate text-xs text-slate-500" title={b.notes}>{b.notes}</p>}
                {b.requestedBy && <p className="text-xs text-slate-400">by {b.requestedBy}</p>}
              </Td>
              {showEnvironment && (
                <Td>
                  <Link href={`/projects/${b.projectId}/environments/${b.environmentId}`} className="font-medium text-slate-900 hover:text-brand-700">
                    {b.environmentName}
                  </Link>
                  <p className="text-xs text-slate-500">{b.projectName}</p>
                </Td>
              )}
              <Td>{BACKUP_TYPE_LABEL[b.type]}</Td>
              <Td>
                <BackupStatus backup={b} />
                {b.status === "completed" && <BackupProof backup={b} />}
              </Td>
              <Td className="whitespace-nowrap tabular-nums">{formatBytes(b.sizeBytes)}</Td>
              <Td className="whitespace-nowrap tabular-nums">{formatDuration(b.startedAt, b.finishedAt)}</Td>
              <Td className="min-w-32">
                {b.keptAfterDestroyUntil !== undefined ? (
                  // Its environment was destroyed: the keep chosen then replaces GFS and classes.
                  <span title="Its environment was destroyed: its backups are kept as chosen then">
                    {b.keptAfterDestroyUntil ? <>After destroy<p className="text-xs text-slate-500">until {formatDateTime(b.keptAfterDestroyUntil)}</p></> : "Permanently (destroyed)"}
                  </span>
                ) : (
                  <>
                    {/* Scheduled backups are kept by the environment's GFS rules (see its Retention preview), not by a class. */}
                    {b.type === "scheduled" ? <span title="Kept by the backup policy's daily / weekly / monthly / yearly rules">By policy (GFS)</span> : RETENTION_SHORT[b.retentionClass]}
                    {b.expiresAt && <p className="text-xs text-slate-500">until {formatDateTime(b.expiresAt)}</p>}
                  </>
                )}
                {(b.pinned || b.held) && (
                  <p className="mt-1 flex flex-wrap items-center gap-1">
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
                    {b.held && can("operator") && (
                      <Button variant="ghost" size="sm" title="Release: its retention applies again" loading={release.isPending && release.variables?.id === b.id} onClick={() => release.mutate({ id: b.id })}>
                        <Unlock className="size-3.5" aria-hidden /> Release
                      </Button>
                    )}
                  </p>
                )}
              </Td>
              <Td className="text-right whitespace-nowrap">
                {b.status === "completed" && (
                  <Button variant="ghost" size="sm" className="mr-1" aria-label={`Download backup of ${formatDateTime(b.createdAt)}`} title="Download links" onClick={() => setDownloading(b)}>
                    <Download className="size-4" aria-hidden />
                  </Button>
                )}
                {can("operator") && b.status === "completed" && (
                  <Button
                    variant="secondary"
                    size="sm"
                    disabled={!b.verified || !b.trusted}
                    title={!b.trusted ? "A foreign backup is restored only once an admin trusts it" : b.verified ? `Restore the backup of ${formatDateTime(b.createdAt)}` : "Only a verified backup can be restored"}
                    onClick={() => setRestoring(b)}
                  >
                    <RotateCcw className="size-3.5" aria-hidden /> Restore
                  </Button>
                )}
                {can("operator") && !isActive(b) && (
                  <Button variant="ghost" size="sm" className="ml-1" aria-label={`Delete backup of ${formatDateTime(b.createdAt)}`} onClick={() => setDeleting(b)}>
                    <Trash2 className="size-4" aria-hidden />
                  </Button>
                )}
              </Td>
            </tr>
          ))}
        </tbody>
      </Table>
      {deleting && <DeleteBackupDialog backup={deleting} onClose={() => setDeleting(null)} />}
      {restoring && <RestoreDialog backup={restoring} onClose={() => setRestoring(null)} />}
      {downloading && <DownloadDialog backup={downloading} onClose={() => setDownloading(null)} />}
      {editing && <EditBackupDialog backup={editing} onClose={() => setEditing(null)} />}
    </>
  );
}
