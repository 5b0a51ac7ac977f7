import { z } from "zod";
import { procedure, router } from "@/server/api/trpc";
import {
  createProject,
  createProjectInput,
  deleteProject,
  getProject,
  listProjects,
  listProjectsInput,
  projectItem,
  projectPage,
  updateProject,
  updateProjectInput,
} from "@/server/services/projects";

export const projectsRouter = router({
  list: procedure("viewer", { method: "GET", path: "/projects", tags: ["projects"], summary: "List projects", protect: true })
    .input(listProjectsInput)
    .output(projectPage)
    .query(({ ctx, input }) => listProjects(ctx.db, ctx.principal, input)),

  get: procedure("viewer", { method: "GET", path: "/projects/{id}", tags: ["projects"], summary: "Get a project", protect: true })
    .input(z.object({ id: z.uuid() }))
    .output(projectItem)
    .query(({ ctx, input }) => getProject(ctx.db, ctx.principal, input.id)),

  create: procedure("operator", { method: "POST", path: "/projects", tags: ["projects"], summary: "Create a project", protect: true })
    .input(createProjectInput)
    .output(projectItem)
    .mutation(({ ctx, input }) => createProject(ctx.db, ctx.principal, input)),

  update: procedure("operator", { method: "PUT", path: "/projects/{id}", tags: ["projects"], summary: "Change a project (the fields given)", protect: true })
    .input(updateProjectInput)
    .output(projectItem)
    .mutation(({ ctx, input }) => updateProject(ctx.db, ctx.principal, input)),

  delete: procedure("operator", { method: "DELETE", path: "/projects/{id}", tags: ["projects"], summary: "Delete a project without environments", protect: true, restStatus: 204 })
    .input(z.object({ id: z.uuid() }))
    .output(z.void())
    .mutation(({ ctx, input }) => deleteProject(ctx.db, ctx.principal, input.id)),
});
