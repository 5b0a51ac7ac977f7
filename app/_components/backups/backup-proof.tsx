"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { formatBytes } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import type { BackupItem } from "./backup-types";

/** The row counts and files a completed backup recorded while it streamed: what a restore drill checks a restored copy against. */
export function BackupProof({ backup }: { backup: BackupItem }) {
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const detail = useQuery({ ...trpc.backups.get.queryOptions({ id: backup.id }), enabled: open });
  const proof = detail.data?.proof;
  const tables = Object.entries(proof?.tables ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const rows = tables.reduce((sum, [, n]) => sum + n, 0);
  return (
    <details className="mt-1 text-xs text-slate-600" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary className="cursor-pointer text-slate-500 hover:text-slate-700">What a restore must reproduce</summary>
      {detail.isPending && open && <p className="mt-1 text-slate-400">Loading…</p>}
      {detail.data && (
        <div className="mt-1 max-w-sm space-y-1">
          {proof?.tables ? (
            <>
              <p>
                {tables.length} table{tables.length === 1 ? "" : "s"}, {rows.toLocaleString("en")} row{rows === 1 ? "" : "s"}
              </p>
              <ul className="max-h-40 overflow-y-auto rounded bg-slate-50 px-2 py-1 font-mono text-[11px]" aria-label="Rows per table">
                {tables.map(([table, n]) => (
                  <li key={table} className="flex justify-between gap-3">
                    <span className="truncate" title={table}>{table}</span>
                    <span className="tabular-nums">{n.toLocaleString("en")}</span>
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <p>Row counts not recorded for this source.</p>
          )}
          {proof?.filestore && (
            <p>
              Filestore: {proof.filestore.files.toLocaleString("en")} file{proof.filestore.files === 1 ? "" : "s"}, {formatBytes(proof.filestore.bytes)}
            </p>
          )}
        </div>
      )}
    </details>
  );
}
