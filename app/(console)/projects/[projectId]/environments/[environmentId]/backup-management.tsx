"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { Archive, ArrowUpCircle, Plus } from "lucide-react";
import { useState } from "react";
import { BackupsTable } from "@/app/_components/backups/backups-table";
import { refreshWhileActive } from "@/app/_components/backups/backup-types";
import { CreateBackupDialog } from "@/app/_components/backups/create-backup-dialog";
import { RetentionPreview } from "@/app/_components/backups/retention-preview";
import { RestoreHistory } from "@/app/_components/restores/restore-history";
import { RestoreDrills } from "@/app/_components/drills/restore-drills";
import { Button } from "@/app/_components/ui/button";
import { LoadMore } from "@/app/_components/ui/load-more";
import { Card, EmptyState } from "@/app/_components/ui/layout";
import { useConsoleSession } from "@/app/_lib/console-context";
import { QueryState } from "@/app/_components/ui/query-state";
import { useTRPC } from "@/app/_lib/trpc";
import { EnvironmentPolicy } from "./environment-policy";

/** The environment's Backup Management tab: its backups, live, Create Backup, its backup policy and its restores. */
export function BackupManagement({ environment }: { environment: { id: string; name: string; source: string; restoring: boolean; archivedAt: string | null } }) {
  const trpc = useTRPC();
  const { can } = useConsoleSession();
  const [creating, setCreating] = useState<"manual" | "pre_upgrade" | null>(null);
  const backups = useInfiniteQuery(
    trpc.backups.list.infiniteQueryOptions(
      { environmentId: environment.id, limit: 25 },
      // While a restore runs, its safety backup appears and progresses here.
      { getNextPageParam: (last) => last.nextCursor ?? undefined, refetchInterval: (query) => (environment.restoring ? 2000 : refreshWhileActive(query)) },
    ),
  );
  const items = backups.data?.pages.flatMap((p) => p.items) ?? [];
  // An archived environment is never backed up again.
  const createButton = can("operator") && !environment.archivedAt && (
    <span className="flex gap-2">
      <Button variant="secondary" onClick={() => setCreating("pre_upgrade")} title="A verified backup held (never pruned) until you release it, recording the version it was taken at">
        <ArrowUpCircle className="size-4" aria-hidden /> Prepare for upgrade
      </Button>
      <Button onClick={() => setCreating("manual")} title={environment.restoring ? "A restore is running: a backup requested now waits until it ends" : undefined}>
        <Plus className="size-4" aria-hidden /> Create Backup
      </Button>
    </span>
  );
  return (
    <div className="space-y-6">
      <Card
        title="Backups"
        description={environment.restoring ? "Newest first. A restore is running: a backup requested now waits until it ends." : "Newest first. Take a manual backup before any risky change."}
        actions={items.length > 0 && createButton}
        padded={false}
      >
        <QueryState query={backups} what="backups">
          {() =>
            items.length === 0 ? (
              <EmptyState icon={<Archive className="size-6" />} title="No backups of this environment yet" action={createButton}>
                Create a backup now; it is compressed, stored in your storage location and verified against its checksums.
              </EmptyState>
            ) : (
              <BackupsTable items={items} showEnvironment={false} />
            )
          }
        </QueryState>
        <LoadMore query={backups} />
      </Card>
      {/* An archived environment has no schedule, policy or drills any more: its backups and restores remain. */}
      {!environment.archivedAt && <EnvironmentPolicy environment={environment} />}
      <RetentionPreview environmentId={environment.id} />
      <RestoreHistory environmentId={environment.id} />
      {!environment.archivedAt && <RestoreDrills environmentId={environment.id} />}
      {creating && <CreateBackupDialog environment={environment} purpose={creating} onClose={() => setCreating(null)} />}
    </div>
  );
}
