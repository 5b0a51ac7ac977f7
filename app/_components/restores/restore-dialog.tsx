"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { BackupItem } from "@/app/_components/backups/backup-types";
import { useContributions } from "@/app/_components/plugin-contributions";
import { Button } from "@/app/_components/ui/button";
import { Dialog } from "@/app/_components/ui/dialog";
import { Alert } from "@/app/_components/ui/layout";
import { QueryError } from "@/app/_components/ui/query-state";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import { RestoreProgress } from "./restore-progress";
import { RestoreWizard } from "./restore-wizard";
import type { RestoreItem } from "./restore-types";

/** Restore a backup: the wizard, then the restore's live progress once it is queued. */
export function RestoreDialog({ backup, onClose }: { backup: BackupItem; onClose: () => void }) {
  const trpc = useTRPC();
  const origin = useQuery(trpc.environments.get.queryOptions({ id: backup.environmentId }));
  const detail = useQuery(trpc.backups.get.queryOptions({ id: backup.id }));
  const projects = useQuery(trpc.projects.list.queryOptions({ limit: 200 }));
  const servers = useQuery(trpc.servers.list.queryOptions({ limit: 200 }));
  const sources = useContributions("sources");
  const [started, setStarted] = useState<RestoreItem | null>(null);
  const description = `${backup.projectName} / ${backup.environmentName}, taken ${formatDateTime(backup.finishedAt ?? backup.createdAt)}`;
  const artifactSize = (kind: string) => detail.data?.artifacts.find((a) => a.kind === kind)?.size ?? 0;

  if (started) {
    const totalBytes = artifactSize("database") + (started.includeFilestore ? artifactSize("filestore") : 0) || null;
    return (
      <Dialog open size="lg" onClose={onClose} title="Restoring backup" description={description} footer={<Button onClick={onClose}>Close</Button>}>
        <RestoreProgress restoreId={started.id} totalBytes={totalBytes} onNavigate={onClose} />
      </Dialog>
    );
  }

  const failure = origin.error ?? detail.error ?? projects.error ?? servers.error;
  if (!origin.data || !detail.data || !projects.data || !servers.data || sources.isLoading) {
    return (
      <Dialog open size="lg" onClose={onClose} title="Restore backup" description={description} footer={<Button variant="secondary" onClick={onClose}>Close</Button>}>
        {failure ? (
          <QueryError what="what the restore needs" error={failure} onRetry={() => Promise.all([origin, detail, projects, servers].filter((q) => q.isError).map((q) => q.refetch()))} />
        ) : (
          <p className="py-8 text-center text-sm text-slate-500" aria-busy="true">
            Loading…
          </p>
        )}
      </Dialog>
    );
  }

  const o = origin.data;
  if (!sources.can(o.source, "restore")) {
    return (
      <Dialog open size="lg" onClose={onClose} title="Restore backup" description={description} footer={<Button variant="secondary" onClick={onClose}>Close</Button>}>
        <Alert tone="warning">The {sources.title(o.source)} source cannot restore its backups.</Alert>
      </Dialog>
    );
  }
  // The backup's own project is always offered, even beyond the first page of projects.
  const projectOptions = projects.data.items.some((p) => p.id === o.projectId) ? projects.data.items : [{ id: o.projectId, name: o.projectName }, ...projects.data.items];
  return (
    <RestoreWizard
      backup={backup}
      origin={o}
      hasFilestore={detail.data.artifacts.some((a) => a.kind === "filestore")}
      filesTitle={sources.artifactTitle(o.source, "filestore")}
      projects={projectOptions}
      servers={servers.data.items}
      sourceTitle={sources.title(o.source)}
      canNeutralize={sources.can(o.source, "neutralize")}
      schema={sources.find(o.source)?.configSchema}
      onStarted={setStarted}
      onClose={onClose}
    />
  );
}
