"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button } from "@/app/_components/ui/button";
import { Dialog } from "@/app/_components/ui/dialog";
import { Input } from "@/app/_components/ui/field";
import { Alert } from "@/app/_components/ui/layout";
import { errorInfo } from "@/app/_lib/errors";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";

type ForeignBackup = { backupId: string; projectName: string; environmentName: string; finishedAt: string | null; reason: string };

/** Trusting a foreign backup is an explicit, typed confirmation: its content did not come from this console. */
function TrustRow({ backup, onTrusted }: { backup: ForeignBackup; onTrusted: () => void }) {
  const trpc = useTRPC();
  const [confirm, setConfirm] = useState("");
  const [asking, setAsking] = useState(false);
  const trust = useMutation(trpc.backups.trust.mutationOptions({ onSuccess: onTrusted }));
  return (
    <li className="py-2">
      <div className="flex items-center justify-between gap-3">
        <div className="text-sm">
          <span className="font-medium text-slate-900">{backup.projectName} / {backup.environmentName}</span>
          <span className="text-slate-500"> · {backup.finishedAt ? formatDateTime(backup.finishedAt) : "unknown date"} · {backup.reason}</span>
        </div>
        {!asking && <Button size="sm" variant="secondary" onClick={() => setAsking(true)}>Trust</Button>}
      </div>
      {asking && (
        <div className="mt-2 flex items-center gap-2">
          <Input aria-label="Type TRUST to confirm" placeholder="Type TRUST" value={confirm} onChange={(e) => setConfirm(e.target.value)} className="max-w-40" />
          <Button size="sm" disabled={confirm !== "TRUST"} loading={trust.isPending} onClick={() => trust.mutate({ backupId: backup.backupId, confirm })}>
            Trust this backup
          </Button>
          {trust.error && <span className="text-sm text-red-600">{errorInfo(trust.error)?.message}</span>}
        </div>
      )}
    </li>
  );
}

/** Settings › Storage › "Import backups from this location": what the catalog import added, knew and found foreign. */
export function CatalogImportDialog({ location, onClose }: { location: { id: string; name: string }; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const run = useMutation(trpc.storageLocations.catalogImport.mutationOptions({ onSuccess: () => queryClient.invalidateQueries() }));
  const result = run.data;
  const [trusted, setTrusted] = useState<string[]>([]);
  const foreign = result?.foreign.filter((f) => !trusted.includes(f.backupId)) ?? [];
  return (
    <Dialog
      open
      wide
      title="Import backups from this location"
      // Each action here (import, trust) applies at once: closing loses nothing.
      dirty={false}
      description={`Scans "${location.name}" for Safehold backup manifests and adds the backups the catalog lacks.`}
      onClose={onClose}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>Close</Button>
          <Button loading={run.isPending} onClick={() => run.mutate({ id: location.id })}>{result ? "Import again" : "Import backups"}</Button>
        </>
      }
    >
      <p className="text-sm text-slate-600">
        Backups whose manifest this console signed for this organization are trusted. Others are listed as foreign: they can be restored only once an admin trusts them. Backups of environments
        the console no longer knows go to an archived environment.
      </p>
      {run.error && <div className="mt-3"><Alert tone="danger">{errorInfo(run.error)?.message}</Alert></div>}
      {result && (
        <div className="mt-3 space-y-3">
          <Alert tone="success" title="Import finished">
            <span data-testid="catalog-import-counts">{result.added} added, {result.alreadyKnown} already known, {result.foreign.length} foreign</span>
          </Alert>
          {foreign.length > 0 && (
            <div>
              <h3 className="text-sm font-semibold text-slate-900">Foreign backups</h3>
              <ul className="divide-y divide-slate-100">
                {foreign.map((f) => (
                  <TrustRow key={f.backupId} backup={f} onTrusted={() => { setTrusted((t) => [...t, f.backupId]); void queryClient.invalidateQueries(); }} />
                ))}
              </ul>
            </div>
          )}
          {result.skipped.length > 0 && (
            <div>
              <h3 className="text-sm font-semibold text-slate-900">Not imported</h3>
              <ul className="text-sm text-slate-600">
                {result.skipped.map((s) => (
                  <li key={s.key}><span className="font-mono text-xs">{s.key}</span>: {s.reason}</li>
                ))}
              </ul>
            </div>
          )}
        </div>
      )}
    </Dialog>
  );
}
