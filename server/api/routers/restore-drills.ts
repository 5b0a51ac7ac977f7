import { z } from "zod";
import { procedure, router } from "@/server/api/trpc";
import { drillItem, drillPage, getDrill, listDrills, listDrillsInput, requestDrill } from "@/server/services/restore-drills";

export const restoreDrillsRouter = router({
  create: procedure("operator", { method: "POST", path: "/environments/{environmentId}/drills", tags: ["drills"], summary: "Run a restore drill now (202: it runs in the environment's queue)", protect: true, restStatus: 202 })
    .input(z.object({ environmentId: z.uuid() }))
    .output(drillItem)
    .mutation(({ ctx, input }) => requestDrill(ctx.db, ctx.principal, input.environmentId)),

  get: procedure("viewer", { method: "GET", path: "/drills/{id}", tags: ["drills"], summary: "Get a restore drill: status, checks, error, log", protect: true })
    .input(z.object({ id: z.uuid() }))
    .output(drillItem)
    .query(({ ctx, input }) => getDrill(ctx.db, ctx.principal, input.id)),

  list: procedure("viewer", { method: "GET", path: "/environments/{environmentId}/drills", tags: ["drills"], summary: "List an environment's restore drills, newest first", protect: true })
    .input(listDrillsInput)
    .output(drillPage)
    .query(({ ctx, input }) => listDrills(ctx.db, ctx.principal, input)),
});
