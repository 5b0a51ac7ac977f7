import { z } from "zod";
import { procedure, router } from "@/server/api/trpc";
import { getServerHealth, serverHealthOutput } from "@/server/fleet/server-health";
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
  testDraftServerInput,
  testSavedServerInput,
  testServer,
  updateServer,
  updateServerInput,
} from "@/server/services/servers";

export const serversRouter = router({
  list: procedure("viewer", { method: "GET", path: "/servers", tags: ["servers"], summary: "List servers (secrets masked)", protect: true })
    .input(listServersInput)
    .output(serverPage)
    .query(({ ctx, input }) => listServers(ctx.db, ctx.plugins, ctx.principal, input)),

  health: procedure("viewer", { method: "GET", path: "/servers/health", tags: ["servers"], summary: "Per server, how many of its environments there are, and how many fail or are overdue", protect: true })
    .input(z.void())
    .output(serverHealthOutput)
    .query(({ ctx }) => getServerHealth(ctx.db, ctx.principal)),

  get: procedure("viewer", { method: "GET", path: "/servers/{id}", tags: ["servers"], summary: "Get a server (secrets masked)", protect: true })
    .input(z.object({ id: z.uuid() }))
    .output(serverItem)
    .query(({ ctx, input }) => getServer(ctx.db, ctx.plugins, ctx.principal, input.id)),

  create: procedure("admin", { method: "POST", path: "/servers", tags: ["servers"], summary: "Add a server", protect: true })
    .input(createServerInput)
    .output(serverItem)
    .mutation(({ ctx, input }) => createServer(ctx.db, ctx.plugins, ctx.principal, input)),

  update: procedure("admin", { method: "PUT", path: "/servers/{id}", tags: ["servers"], summary: "Change a server (the fields given; a masked secret sent back keeps the stored one)", protect: true })
    .input(updateServerInput)
    .output(serverItem)
    .mutation(({ ctx, input }) => updateServer(ctx.db, ctx.plugins, ctx.principal, input)),

  delete: procedure("admin", { method: "DELETE", path: "/servers/{id}", tags: ["servers"], summary: "Delete a server without environments", protect: true, restStatus: 204 })
    .input(z.object({ id: z.uuid() }))
    .output(z.void())
    .mutation(({ ctx, input }) => deleteServer(ctx.db, ctx.principal, input.id)),

  /** Test a saved server, optionally with edited settings (admins only: they decide where the console connects). */
  test: procedure("operator", { method: "POST", path: "/servers/{id}/test", tags: ["servers"], summary: "Test the connection to a server", protect: true })
    .input(testSavedServerInput)
    .output(testResultWithDetails)
    .mutation(({ ctx, input }) => testServer(ctx.db, ctx.plugins, ctx.principal, input)),

  /** The settings in a form for a new server, before (or instead of) saving them: admins decide where the console connects. */
  testDraft: procedure("admin")
    .input(testDraftServerInput)
    .output(testResultWithDetails)
    .mutation(({ ctx, input }) => testServer(ctx.db, ctx.plugins, ctx.principal, input)),
});
