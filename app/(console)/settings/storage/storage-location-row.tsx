"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { createPortal } from "react-dom";
import { TestResultRow } from "@/app/_components/test-result";
import { Button } from "@/app/_components/ui/button";
import { Badge, Td } from "@/app/_components/ui/layout";
import { useConsoleSession } from "@/app/_lib/console-context";
import { errorInfo } from "@/app/_lib/errors";
import { DEDUP_EXPLAINED } from "@/app/_lib/dedup";
import { formatBytes } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import { CatalogImportDialog } from "./catalog-import-dialog";
import type { StorageLocation } from "./storage-location-form-dialog";

/** One storage location, its actions, and under it the answer of its last test or action. */
export function StorageLocationRow({ location, providerTitle, summary, columns, onEdit, onDelete }: { location: StorageLocation; providerTitle: string; summary: string; columns: number; onEdit: () => void; onDelete: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can } = useConsoleSession();
  const test = useMutation(trpc.storageLocations.testDraft.mutationOptions());
  const makeDefault = useMutation(trpc.storageLocations.update.mutationOptions({ onSuccess: () => queryClient.invalidateQueries() }));
  const failure = errorInfo(test.error ?? makeDefault.error);
  const [importing, setImporting] = useState(false);

  function runTest() {
    makeDefault.reset();
    test.mutate({ id: location.id });
  }

  function setAsDefault() {
    test.reset();
    makeDefault.mutate({ id: location.id, isDefault: true });
  }

  function dismiss() {
    test.reset();
    makeDefault.reset();
  }

  return (
    <>
      <tr>
        <Td>
          <span className="font-medium text-slate-900">{location.name}</span> {location.isDefault && <Badge tone="info">Default</Badge>}
        </Td>
        <Td>{providerTitle}</Td>
        <Td className="max-w-xs truncate font-mono text-xs text-slate-600">{summary || "—"}</Td>
        <Td className="tabular-nums">{location.backupCount}</Td>
        <Td className="whitespace-nowrap tabular-nums">
          {formatBytes(location.bytesUsed)}
          {location.dedupSavedBytes > 0 && (
            <span className="block text-xs text-slate-500" title={DEDUP_EXPLAINED}>
              {formatBytes(location.dedupSavedBytes)} saved by deduplication
            </span>
          )}
        </Td>
        <Td className="text-right whitespace-nowrap">
          {can("operator") && (
            <Button variant="ghost" size="sm" loading={test.isPending} onClick={runTest}>
              Test
            </Button>
          )}
          {can("admin") && (
            <>
              {!location.isDefault && (
                <Button variant="ghost" size="sm" loading={makeDefault.isPending} onClick={setAsDefault}>
                  Make default
                </Button>
              )}
              <Button variant="ghost" size="sm" onClick={() => setImporting(true)}>Import backups</Button>
              <Button variant="ghost" size="sm" onClick={onEdit}>Edit</Button>
              <Button variant="ghost" size="sm" className="text-red-600 hover:text-red-700" onClick={onDelete}>Delete</Button>
            </>
          )}
        </Td>
      </tr>
      <TestResultRow columns={columns} result={test.data} failure={failure} onDismiss={dismiss} />
      {importing && createPortal(<CatalogImportDialog location={location} onClose={() => setImporting(false)} />, document.body)}
    </>
  );
}
