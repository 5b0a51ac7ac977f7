"use client";

import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { HardDrive, Plus } from "lucide-react";
import { useState } from "react";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { useContributions } from "@/app/_components/plugin-contributions";
import { Button } from "@/app/_components/ui/button";
import { LoadMore } from "@/app/_components/ui/load-more";
import { Card, EmptyState, Table, TableHead } from "@/app/_components/ui/layout";
import { QueryState } from "@/app/_components/ui/query-state";
import { useConsoleSession } from "@/app/_lib/console-context";
import { useTRPC } from "@/app/_lib/trpc";
import { StorageLocationFormDialog, type StorageLocation } from "./storage-location-form-dialog";
import { SelfBackupCard } from "./self-backup-card";
import { StorageLocationRow } from "./storage-location-row";

const COLUMNS = 5;

function DeleteStorageLocationDialog({ location, onClose }: { location: StorageLocation; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.storageLocations.delete.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        onClose();
      },
    }),
  );
  return (
    <ConfirmDialog title="Delete storage location" confirmLabel="Delete" onClose={onClose} onConfirm={() => remove.mutate({ id: location.id })} pending={remove.isPending} error={remove.error}>
      Delete the storage location <strong>{location.name}</strong>? Only its settings are removed from the console; a location that still holds backups cannot be
      deleted.
    </ConfirmDialog>
  );
}

export function StorageView() {
  const trpc = useTRPC();
  const { can } = useConsoleSession();
  const providers = useContributions("storageProviders");
  const [editing, setEditing] = useState<StorageLocation | "new" | null>(null);
  const [deleting, setDeleting] = useState<StorageLocation | null>(null);
  const locations = useInfiniteQuery(
    trpc.storageLocations.list.infiniteQueryOptions({ limit: 50 }, { getNextPageParam: (last) => last.nextCursor ?? undefined }),
  );
  const items = locations.data?.pages.flatMap((p) => p.items) ?? [];
  const addButton = can("admin") && (
    <Button onClick={() => setEditing("new")}>
      <Plus className="size-4" aria-hidden /> Add storage location
    </Button>
  );

  return (
    <div className="space-y-6">
      <Card title="Storage locations" description="Where backups are kept. Backups go to the default location unless a policy names another one. Used counts each filestore file once, however many backups hold it." actions={items.length > 0 && addButton} padded={false}>
        <QueryState query={locations} what="storage locations">
          {() =>
            items.length === 0 ? (
              <EmptyState icon={<HardDrive className="size-6" />} title="No storage location yet" action={addButton}>
                Backups need a destination. Start with a folder on this host, such as <code className="font-mono text-slate-700">/var/backups/safehold</code>; you can add
                S3, SFTP or FTP storage later.
              </EmptyState>
            ) : (
              <Table>
                <TableHead labels={["Location", "Provider", "Where", "Backups", "Used"]} actions />
                <tbody className="divide-y divide-slate-100">
                  {items.map((location) => (
                    <StorageLocationRow
                      key={location.id}
                      location={location}
                      providerTitle={providers.title(location.provider)}
                      summary={providers.summary(location.provider, location.config)}
                      columns={COLUMNS}
                      onEdit={() => setEditing(location)}
                      onDelete={() => setDeleting(location)}
                    />
                  ))}
                </tbody>
              </Table>
            )
          }
        </QueryState>
        <LoadMore query={locations} />
      </Card>
      {can("admin") && items.length > 0 && <SelfBackupCard locations={items} />}
      {editing && <StorageLocationFormDialog location={editing === "new" ? undefined : editing} first={items.length === 0} onClose={() => setEditing(null)} />}
      {deleting && <DeleteStorageLocationDialog location={deleting} onClose={() => setDeleting(null)} />}
    </div>
  );
}
