import { z } from "zod";
import { procedure, router } from "@/server/api/trpc";
import { testResultWithDetails } from "@/server/services/plugin-config";
import {
  createServer,
  createServerInput,
  deleteServer,
  getServer,
  listServers,
  listServersInput,
  serverItem,
  serverPage,
  testServer,
  testServerInput,
  updateServer,
  updateServerInput,
} from "@/server/services/servers";

export const serversRouter = router({
  list: procedure("viewer", { method: "GET", path: "/servers", tags: ["servers"], summary: "List servers (secrets masked)", protect: true })
    .input(listServersInput)
    .output(serverPage)
    .query(({ ctx, input }) => listServers(ctx.db, ctx.plugins, ctx.principal, input)),

  get: procedure("viewer")
    .input(z.object({ id: z.uuid() }))
    .output(serverItem)
    .query(({ ctx, input }) => getServer(ctx.db, ctx.plugins, ctx.principal, input.id)),

  create: procedure("admin", { method: "POST", path: "/servers", tags: ["servers"], summary: "Add a server", protect: true })
    .input(createServerInput)
    .output(serverItem)
    .mutation(({ ctx, input }) => createServer(ctx.db, ctx.plugins, ctx.principal, input)),

  update: procedure("admin")
    .input(updateServerInput)
    .output(serverItem)
    .mutation(({ ctx, input }) => updateServer(ctx.db, ctx.plugins, ctx.principal, input)),

  delete: procedure("admin")
    .input(z.object({ id: z.uuid() }))
    .mutation(({ ctx, input }) => deleteServer(ctx.db, ctx.principal, input.id)),

  /** Test a saved server, or the settings in a form before saving. */
  test: procedure("operator")
    .input(testServerInput)
    .output(testResultWithDetails)
    .mutation(({ ctx, input }) => testServer(ctx.db, ctx.plugins, ctx.principal, input)),
});
