"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { Archive, Plus } from "lucide-react";
import { useState } from "react";
import { BackupsTable } from "@/app/_components/backups/backups-table";
import { refreshWhileActive } from "@/app/_components/backups/backup-types";
import { CreateBackupDialog } from "@/app/_components/backups/create-backup-dialog";
import { Button } from "@/app/_components/ui/button";
import { LoadMore } from "@/app/_components/ui/load-more";
import { Card, EmptyState } from "@/app/_components/ui/layout";
import { useConsoleSession } from "@/app/_lib/console-context";
import { useTRPC } from "@/app/_lib/trpc";

/** The environment's Backup Management tab: its backups, live, and Create Backup. */
export function BackupManagement({ environment }: { environment: { id: string; name: string } }) {
  const trpc = useTRPC();
  const { can } = useConsoleSession();
  const [creating, setCreating] = useState(false);
  const backups = useInfiniteQuery(
    trpc.backups.list.infiniteQueryOptions(
      { environmentId: environment.id, limit: 25 },
      { getNextPageParam: (last) => last.nextCursor ?? undefined, refetchInterval: refreshWhileActive },
    ),
  );
  const items = backups.data?.pages.flatMap((p) => p.items) ?? [];
  const createButton = can("operator") && (
    <Button onClick={() => setCreating(true)}>
      <Plus className="size-4" aria-hidden /> Create Backup
    </Button>
  );
  return (
    <>
      <Card title="Backups" description="Newest first. Take a manual backup before any risky change." actions={items.length > 0 && createButton} padded={false}>
        {backups.isLoading ? (
          <p className="px-5 py-10 text-center text-sm text-slate-500">Loading…</p>
        ) : items.length === 0 ? (
          <EmptyState icon={<Archive className="size-6" />} title="No backups of this environment yet" action={createButton}>
            Create a backup now; it is compressed, stored in your storage location and verified against its checksums.
          </EmptyState>
        ) : (
          <BackupsTable items={items} showEnvironment={false} />
        )}
        <LoadMore query={backups} />
      </Card>
      {creating && <CreateBackupDialog environment={environment} onClose={() => setCreating(false)} />}
    </>
  );
}
