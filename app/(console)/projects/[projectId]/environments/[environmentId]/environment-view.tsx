"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { Flame, Pencil, PlugZap, Trash2, Upload } from "lucide-react";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useState, type ReactNode } from "react";
import { Breadcrumb } from "@/app/_components/breadcrumb";
import { ConfigDetails } from "@/app/_components/config-summary";
import { NotFoundState, isNotFound } from "@/app/_components/not-found-state";
import { useContributions } from "@/app/_components/plugin-contributions";
import { StageBadge } from "@/app/_components/stage";
import { TestResult } from "@/app/_components/test-result";
import { Button } from "@/app/_components/ui/button";
import { QueryError } from "@/app/_components/ui/query-state";
import { Alert, Badge, Card, PageHeader } from "@/app/_components/ui/layout";
import { useConsoleSession } from "@/app/_lib/console-context";
import { errorInfo } from "@/app/_lib/errors";
import { STAGE_LABEL, formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import { EnvironmentFormDialog } from "../../environment-form-dialog";
import { BackupManagement } from "./backup-management";
import { DeleteEnvironmentDialog } from "./delete-environment-dialog";
import { DestroyEnvironmentDialog } from "@/app/_components/lifecycle/destroy-environment-dialog";
import { EnvironmentLifecycle, PurgeEnvironmentDialog } from "./environment-lifecycle";
import { ImportBackupDialog } from "./import-backup-dialog";
import { HealthSummary } from "@/app/_components/fleet/health-summary";

function Detail({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium tracking-wide text-slate-500 uppercase">{label}</dt>
      <dd className="mt-0.5 text-sm text-slate-900">{children}</dd>
    </div>
  );
}

const TABS = [
  { id: "backups", label: "Backup Management" },
  { id: "settings", label: "Settings" },
] as const;

export function EnvironmentView({ projectId, environmentId }: { projectId: string; environmentId: string }) {
  const trpc = useTRPC();
  const tab = useSearchParams().get("tab") === "settings" ? "settings" : "backups";
  const { can } = useConsoleSession();
  const sources = useContributions("sources");
  // While a restore into it is queued or running, refresh so the maintenance badge goes once it ends.
  const environment = useQuery(trpc.environments.get.queryOptions({ id: environmentId }, { refetchInterval: (q) => (q.state.data?.restoring ? 2000 : false) }));
  const test = useMutation(trpc.environments.test.mutationOptions());
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [destroying, setDestroying] = useState(false);
  const [purging, setPurging] = useState(false);
  const [importing, setImporting] = useState(false);

  if (environment.isLoading) return <p className="py-10 text-center text-sm text-slate-500">Loading…</p>;
  const e = environment.data;
  // An environment reached through another project's address is not this project's: treat it as missing.
  if (!e || e.projectId !== projectId) {
    return (
      <div className="space-y-4">
        <Breadcrumb items={[{ label: "Projects", href: "/projects" }, { label: "Project", href: `/projects/${projectId}` }]} />
        {e || isNotFound(environment.error) ? (
          <NotFoundState title="Environment not found" backHref={`/projects/${projectId}`} backLabel="Back to the project">
            It may have been deleted, or the link is wrong.
          </NotFoundState>
        ) : (
          <QueryError what="the environment" error={environment.error} onRetry={environment.refetch} retrying={environment.isRefetching} />
        )}
      </div>
    );
  }

  const source = sources.find(e.source);
  // An archived environment's data is gone: what is left to do is restore from it, or purge it.
  const archivedActions = can("admin") && (
    <Button variant="secondary" className="text-red-600" onClick={() => setPurging(true)}>
      <Trash2 className="size-4" aria-hidden /> Purge
    </Button>
  );
  const actions = e.archivedAt ? archivedActions : can("operator") && (
    <>
      <Button variant="secondary" loading={test.isPending} onClick={() => test.mutate({ id: e.id })}>
        <PlugZap className="size-4" aria-hidden /> Test connection
      </Button>
      {sources.can(e.source, "import") && !e.archivedAt && (
        <Button variant="secondary" onClick={() => setImporting(true)}>
          <Upload className="size-4" aria-hidden /> Import backup
        </Button>
      )}
      <Button variant="secondary" onClick={() => setEditing(true)}>
        <Pencil className="size-4" aria-hidden /> Edit
      </Button>
      <Button
        variant="secondary"
        className="text-red-600"
        disabled={e.restoring}
        title={e.restoring ? "A restore into this environment is queued or running: delete it once the restore has ended" : undefined}
        onClick={() => setDeleting(true)}
      >
        <Trash2 className="size-4" aria-hidden /> Delete
      </Button>
      {can("admin") && sources.can(e.source, "destroy") && (
        <Button
          variant="danger"
          disabled={e.restoring}
          title={e.restoring ? "A restore into this environment is queued or running: destroy it once the restore has ended" : "Final backup, then its database and files removed from the server, then archived"}
          onClick={() => setDestroying(true)}
        >
          <Flame className="size-4" aria-hidden /> Destroy
        </Button>
      )}
    </>
  );
  const summary = (
    <span className="flex flex-wrap items-center gap-x-2 gap-y-1">
      <StageBadge stage={e.stage} />
      {e.archivedAt && (
        <span title={e.keepBackups ? "Destroyed: never backed up again; its backups are restorable into another or a new environment" : "Holds imported backups of an environment this console no longer knew: never backed up, restorable into another environment"}>
          <Badge tone="neutral">Archived</Badge>
        </span>
      )}
      {e.restoring && (
        <span title="A restore into this environment is queued or running: it is in maintenance until the restore ends">
          <Badge tone="warning">
            <span className="size-2 animate-pulse rounded-full bg-current" aria-hidden />
            Restoring…
          </Badge>
        </span>
      )}
      <span>
        {sources.title(e.source)} on <strong className="font-medium text-slate-800">{e.serverName}</strong>
      </span>
    </span>
  );

  return (
    <>
      <PageHeader
        breadcrumb={<Breadcrumb items={[{ label: "Projects", href: "/projects" }, { label: e.projectName, href: `/projects/${e.projectId}` }, { label: e.name }]} />}
        title={e.name}
        description={summary}
        actions={actions}
      />
      <HealthSummary projectId={e.projectId} environmentId={e.id} />
      <div className="mb-6 space-y-3 empty:hidden">
        <EnvironmentLifecycle environment={e} />
        <TestResult result={test.data} />
        {test.error && <Alert tone="danger">{errorInfo(test.error)?.message}</Alert>}
      </div>
      <nav className="mb-6 flex gap-1 border-b border-slate-200" aria-label="Environment">
        {TABS.map((t) => (
          <Link
            key={t.id}
            href={t.id === "backups" ? "?" : `?tab=${t.id}`}
            replace
            aria-current={tab === t.id ? "page" : undefined}
            className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium ${tab === t.id ? "border-brand-600 text-brand-700" : "border-transparent text-slate-500 hover:border-slate-300 hover:text-slate-700"}`}
          >
            {t.label}
          </Link>
        ))}
      </nav>
      {tab === "backups" && <BackupManagement environment={e} />}
      {tab === "settings" && (
        <div className="grid gap-6 lg:grid-cols-3">
          <Card title="Details">
            <dl className="space-y-3">
              <Detail label="Project">
                <Link href={`/projects/${e.projectId}`} className="text-brand-700 hover:underline">{e.projectName}</Link>
              </Detail>
              <Detail label="Stage">{STAGE_LABEL[e.stage]}</Detail>
              <Detail label="Server">
                <Link href="/servers" className="text-brand-700 hover:underline">{e.serverName}</Link>
              </Detail>
              <Detail label="Source">{sources.title(e.source)}</Detail>
              <Detail label="Created">{formatDateTime(e.createdAt)}</Detail>
            </dl>
          </Card>
          <Card title="Source settings" description={source?.description ?? undefined} className="lg:col-span-2">
            <ConfigDetails schema={source?.configSchema} config={e.sourceConfig} />
          </Card>
        </div>
      )}
      {editing && (
        <EnvironmentFormDialog
          projectId={e.projectId}
          environment={e}
          onClose={() => {
            setEditing(false);
            test.reset();
          }}
        />
      )}
      {importing && <ImportBackupDialog environmentId={e.id} formats={sources.importFormats(e.source)} onClose={() => setImporting(false)} />}
      {deleting && <DeleteEnvironmentDialog environment={e} onClose={() => setDeleting(false)} />}
      {destroying && <DestroyEnvironmentDialog environment={e} onClose={() => setDestroying(false)} />}
      {purging && <PurgeEnvironmentDialog environment={e} onClose={() => setPurging(false)} />}
    </>
  );
}
