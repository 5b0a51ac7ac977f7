import { z } from "zod";
import { procedure, router } from "@/server/api/trpc";
import { discoverInput, discoveredItem, discoverSources } from "@/server/services/discovery";
import { testResultOutput } from "@/server/services/plugin-config";
import {
  createEnvironment,
  createEnvironmentInput,
  deleteEnvironment,
  environmentItem,
  environmentPage,
  getEnvironment,
  listEnvironments,
  listEnvironmentsInput,
  testEnvironment,
  testEnvironmentInput,
  updateEnvironment,
  updateEnvironmentInput,
} from "@/server/services/environments";

export const environmentsRouter = router({
  list: procedure("viewer", { method: "GET", path: "/environments", tags: ["environments"], summary: "List environments (filter by projectId)", protect: true })
    .input(listEnvironmentsInput)
    .output(environmentPage)
    .query(({ ctx, input }) => listEnvironments(ctx.db, ctx.plugins, ctx.principal, input)),

  get: procedure("viewer", { method: "GET", path: "/environments/{id}", tags: ["environments"], summary: "Get an environment", protect: true })
    .input(z.object({ id: z.uuid() }))
    .output(environmentItem)
    .query(({ ctx, input }) => getEnvironment(ctx.db, ctx.plugins, ctx.principal, input.id)),

  create: procedure("operator", { method: "POST", path: "/environments", tags: ["environments"], summary: "Create an environment", protect: true })
    .input(createEnvironmentInput)
    .output(environmentItem)
    .mutation(({ ctx, input }) => createEnvironment(ctx.db, ctx.plugins, ctx.principal, input)),

  update: procedure("operator")
    .input(updateEnvironmentInput)
    .output(environmentItem)
    .mutation(({ ctx, input }) => updateEnvironment(ctx.db, ctx.plugins, ctx.principal, input)),

  delete: procedure("operator")
    .input(z.object({ id: z.uuid() }))
    .mutation(({ ctx, input }) => deleteEnvironment(ctx.db, ctx.principal, input.id)),

  /** Test a saved environment's source as it is stored: what REST clients and monitoring call. */
  testSaved: procedure("operator", { method: "POST", path: "/environments/{id}/test", tags: ["environments"], summary: "Test an environment's connection to its source", protect: true })
    .input(z.object({ id: z.uuid() }))
    .output(testResultOutput)
    .mutation(({ ctx, input }) => testEnvironment(ctx.db, ctx.plugins, ctx.principal, input)),

  /** Test a saved environment's source (optionally with edited settings), or a new one's settings. */
  test: procedure("operator")
    .input(testEnvironmentInput)
    .output(testResultOutput)
    .mutation(({ ctx, input }) => testEnvironment(ctx.db, ctx.plugins, ctx.principal, input)),

  discover: procedure("operator", { method: "POST", path: "/servers/{serverId}/discover", tags: ["environments"], summary: "List what a source could back up on a server (e.g. its Odoo databases)", protect: true })
    .input(discoverInput)
    .output(z.array(discoveredItem))
    .mutation(({ ctx, input }) => discoverSources(ctx.db, ctx.plugins, ctx.principal, input)),
});
