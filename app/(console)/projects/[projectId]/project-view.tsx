"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Pencil, Trash2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Breadcrumb } from "@/app/_components/breadcrumb";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { NotFoundState, isNotFound } from "@/app/_components/not-found-state";
import { Button } from "@/app/_components/ui/button";
import { Alert, PageHeader } from "@/app/_components/ui/layout";
import { useConsoleSession } from "@/app/_lib/console-context";
import { errorInfo } from "@/app/_lib/errors";
import { useTRPC } from "@/app/_lib/trpc";
import { ProjectFormDialog } from "../project-form-dialog";
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

export function ProjectView({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const { can } = useConsoleSession();
  const project = useQuery(trpc.projects.get.queryOptions({ id: projectId }));
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
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
          <Alert tone="danger">{errorInfo(project.error)?.message ?? "The project could not be loaded."}</Alert>
        )}
      </div>
    );
  }

  const p = project.data;
  const actions = can("operator") && (
    <>
      <Button variant="secondary" onClick={() => setEditing(true)}>
        <Pencil className="size-4" aria-hidden /> Edit
      </Button>
      <Button variant="secondary" className="text-red-600" onClick={() => setDeleting(true)}>
        <Trash2 className="size-4" aria-hidden /> Delete
      </Button>
    </>
  );

  return (
    <>
      <PageHeader breadcrumb={<Breadcrumb items={[...trail, { label: p.name }]} />} title={p.name} description={p.description || undefined} actions={actions} />
      <div className="space-y-6">
        <ProjectEnvironments projectId={p.id} />
        <ErasureRequests projectId={p.id} />
      </div>
      {editing && <ProjectFormDialog open project={p} onClose={() => setEditing(false)} />}
      {deleting && <DeleteProjectDialog project={p} onClose={() => setDeleting(false)} />}
    </>
  );
}
