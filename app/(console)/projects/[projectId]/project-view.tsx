"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { LogOut, Pencil, Trash2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Breadcrumb } from "@/app/_components/breadcrumb";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { OffboardProjectDialog } from "@/app/_components/lifecycle/offboard-project-dialog";
import { PurgeDialog } from "@/app/_components/lifecycle/purge-dialog";
import { NotFoundState, isNotFound } from "@/app/_components/not-found-state";
import { Button } from "@/app/_components/ui/button";
import { QueryError } from "@/app/_components/ui/query-state";
import { Badge, PageHeader } from "@/app/_components/ui/layout";
import { formatDateTime } from "@/app/_lib/format";
import { useConsoleSession } from "@/app/_lib/console-context";
import { useTRPC } from "@/app/_lib/trpc";
import { ProjectFormDialog } from "../project-form-dialog";
import { HealthSummary } from "@/app/_components/fleet/health-summary";
import { ErasureRequests } from "./erasure-requests";
import { ProjectEnvironments } from "./project-environments";

function DeleteProjectDialog({ project, onClose }: { project: { id: string; name: string }; onClose: () => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.projects.delete.mutationOptions({
      onSuccess: async () => {
        // Mark everything stale without refetching this page's project, which no longer exists.
        await queryClient.invalidateQueries({ refetchType: "none" });
        router.push("/projects");
      },
    }),
  );
  return (
    <ConfirmDialog title="Delete project" confirmLabel="Delete" onClose={onClose} onConfirm={() => remove.mutate({ id: project.id })} pending={remove.isPending} error={remove.error}>
      Delete the project <strong>{project.name}</strong>? Only a project without environments can be deleted.
    </ConfirmDialog>
  );
}

function PurgeProjectDialog({ project, onClose }: { project: { id: string; name: string }; onClose: () => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const purge = useMutation(
    trpc.lifecycle.purgeProject.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ refetchType: "none" });
        router.push("/projects");
      },
    }),
  );
  return <PurgeDialog what="project" name={project.name} onPurge={(confirm) => purge.mutate({ id: project.id, confirm })} pending={purge.isPending} error={purge.error} onClose={onClose} />;
}

export function ProjectView({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const { can } = useConsoleSession();
  const project = useQuery(trpc.projects.get.queryOptions({ id: projectId }));
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [offboarding, setOffboarding] = useState(false);
  const [purging, setPurging] = useState(false);
  const trail = [{ label: "Projects", href: "/projects" }];

  if (project.isLoading) return <p className="py-10 text-center text-sm text-slate-500">Loading…</p>;
  if (!project.data) {
    return (
      <div className="space-y-4">
        <Breadcrumb items={trail} />
        {isNotFound(project.error) ? (
          <NotFoundState title="Project not found" backHref="/projects" backLabel="Back to projects">
            It may have been deleted, or the link is wrong.
          </NotFoundState>
        ) : (
          <QueryError what="the project" error={project.error} onRetry={project.refetch} retrying={project.isRefetching} />
        )}
      </div>
    );
  }

  const p = project.data;
  const actions = p.archivedAt ? (
    can("admin") && (
      <Button variant="secondary" className="text-red-600" onClick={() => setPurging(true)}>
        <Trash2 className="size-4" aria-hidden /> Purge
      </Button>
    )
  ) : can("operator") && (
    <>
      <Button variant="secondary" onClick={() => setEditing(true)}>
        <Pencil className="size-4" aria-hidden /> Edit
      </Button>
      <Button variant="secondary" className="text-red-600" onClick={() => setDeleting(true)}>
        <Trash2 className="size-4" aria-hidden /> Delete
      </Button>
      {can("admin") && (
        <Button variant="danger" onClick={() => setOffboarding(true)} title="Destroy every environment of this client (final backups first), then archive the project">
          <LogOut className="size-4" aria-hidden /> Offboard client
        </Button>
      )}
    </>
  );
  const description = (
    <span className="flex flex-wrap items-center gap-2">
      {p.archivedAt && (
        <span title={`Offboarded on ${formatDateTime(p.archivedAt)}: its environments were destroyed; their backups stay restorable`}>
          <Badge tone="neutral">Archived</Badge>
        </span>
      )}
      {p.description}
    </span>
  );

  return (
    <>
      <PageHeader breadcrumb={<Breadcrumb items={[...trail, { label: p.name }]} />} title={p.name} description={p.description || p.archivedAt ? description : undefined} actions={actions} />
      <HealthSummary projectId={p.id} />
      <div className="space-y-6">
        <ProjectEnvironments projectId={p.id} archived={Boolean(p.archivedAt)} />
        <ErasureRequests projectId={p.id} />
      </div>
      {editing && <ProjectFormDialog open project={p} onClose={() => setEditing(false)} />}
      {deleting && <DeleteProjectDialog project={p} onClose={() => setDeleting(false)} />}
      {offboarding && <OffboardProjectDialog project={p} onClose={() => setOffboarding(false)} />}
      {purging && <PurgeProjectDialog project={p} onClose={() => setPurging(false)} />}
    </>
  );
}
