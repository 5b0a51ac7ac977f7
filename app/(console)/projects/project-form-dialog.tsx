"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { Button } from "@/app/_components/ui/button";
import { Dialog } from "@/app/_components/ui/dialog";
import { Field, Input, Textarea } from "@/app/_components/ui/field";
import { Alert } from "@/app/_components/ui/layout";
import { errorInfo } from "@/app/_lib/errors";
import { useTRPC } from "@/app/_lib/trpc";

type Project = { id: string; name: string; description: string };

/** Create a project, or edit one when `project` is given. */
export function ProjectFormDialog({ open, onClose, project, onSaved }: { open: boolean; onClose: () => void; project?: Project; onSaved?: (p: Project) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState(project?.name ?? "");
  const [description, setDescription] = useState(project?.description ?? "");
  const options = {
    onSuccess: async (saved: Project) => {
      await queryClient.invalidateQueries();
      toast.success(project ? `Project "${saved.name}" saved` : `Project "${saved.name}" created`);
      onSaved?.(saved);
      onClose();
    },
  };
  const create = useMutation(trpc.projects.create.mutationOptions(options));
  const update = useMutation(trpc.projects.update.mutationOptions(options));
  const mutation = project ? update : create;
  const failure = errorInfo(mutation.error);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (project) update.mutate({ id: project.id, name, description });
    else create.mutate({ name, description });
  }

  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={project ? "Edit project" : "New project"}
      description="A project groups the environments of one client."
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>Cancel</Button>
          <Button type="submit" form="project-form" loading={mutation.isPending}>{project ? "Save" : "Create project"}</Button>
        </>
      }
    >
      <form id="project-form" onSubmit={onSubmit} className="space-y-4" noValidate>
        {failure && !failure.fields.name && <Alert tone="danger">{failure.message}</Alert>}
        <Field label="Name" htmlFor="project-name" hint="Usually the client's name" error={failure?.fields.name}>
          <Input id="project-name" value={name} onChange={(e) => setName(e.target.value)} autoFocus invalid={Boolean(failure?.fields.name)} />
        </Field>
        <Field label="Description (optional)" htmlFor="project-description" error={failure?.fields.description}>
          <Textarea id="project-description" rows={3} className="font-sans text-sm" value={description} onChange={(e) => setDescription(e.target.value)} />
        </Field>
      </form>
    </Dialog>
  );
}
