import { z } from "zod";
import { procedure, router } from "@/server/api/trpc";
import {
  destroyEnvironment,
  destroyEnvironmentInput,
  destructionItem,
  getDestruction,
  listDestructions,
  listDestructionsInput,
  offboardProject,
  offboardProjectInput,
} from "@/server/services/destructions";
import { purgeEnvironment, purgeInput, purgeProject } from "@/server/services/purge";

/**
 * The end of an environment's or a client's life: destroy (final backup, data removed, archived), offboard a whole
 * project, and purge what was archived. Admins only: operators never remove production data.
 */
export const lifecycleRouter = router({
  destroyEnvironment: procedure("admin", { method: "POST", path: "/environments/{id}/destroy", tags: ["lifecycle"], summary: "Destroy an environment: a verified final backup, then its data removed from its server, then archived (confirm: its name)", protect: true, restStatus: 202 })
    .input(destroyEnvironmentInput)
    .output(destructionItem)
    .mutation(({ ctx, input }) => destroyEnvironment(ctx.db, ctx.plugins, ctx.principal, input)),

  offboardProject: procedure("admin", { method: "POST", path: "/projects/{id}/offboard", tags: ["lifecycle"], summary: "Offboard a client: destroy every environment of the project, then archive it (confirm: its name)", protect: true, restStatus: 202 })
    .input(offboardProjectInput)
    .output(z.object({ items: z.array(destructionItem) }))
    .mutation(async ({ ctx, input }) => ({ items: await offboardProject(ctx.db, ctx.plugins, ctx.principal, input) })),

  get: procedure("viewer", { method: "GET", path: "/destructions/{id}", tags: ["lifecycle"], summary: "Get a destroy: its status, final backup and what was removed", protect: true })
    .input(z.object({ id: z.uuid() }))
    .output(destructionItem)
    .query(({ ctx, input }) => getDestruction(ctx.db, ctx.principal, input.id)),

  list: procedure("viewer", { method: "GET", path: "/destructions", tags: ["lifecycle"], summary: "List the destroys of an environment or a project, newest first", protect: true })
    .input(listDestructionsInput)
    .output(z.object({ items: z.array(destructionItem), nextCursor: z.string().nullable() }))
    .query(async ({ ctx, input }) => ({ items: await listDestructions(ctx.db, ctx.principal, input), nextCursor: null })),

  purgeEnvironment: procedure("admin", { method: "POST", path: "/environments/{id}/purge", tags: ["lifecycle"], summary: "Purge an archived environment: its backups removed from every storage location, then the environment (confirm: its name)", protect: true, restStatus: 204 })
    .input(purgeInput)
    .output(z.void())
    .mutation(({ ctx, input }) => purgeEnvironment(ctx.db, ctx.plugins, ctx.principal, input)),

  purgeProject: procedure("admin", { method: "POST", path: "/projects/{id}/purge", tags: ["lifecycle"], summary: "Purge an offboarded project: every environment with its backups, then the project (confirm: its name)", protect: true, restStatus: 204 })
    .input(purgeInput)
    .output(z.void())
    .mutation(({ ctx, input }) => purgeProject(ctx.db, ctx.plugins, ctx.principal, input)),
});
