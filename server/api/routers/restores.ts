import { z } from "zod";
import { procedure, router } from "@/server/api/trpc";
import { createRestore, createRestoreInput, discardPreviousCopy, getRestore, listRestores, listRestoresInput, restoreItem, restorePage } from "@/server/services/restores";

export const restoresRouter = router({
  create: procedure("operator", { method: "POST", path: "/backups/{backupId}/restores", tags: ["restores"], summary: "Queue a restore of a backup (202: it runs in the target environment's queue)", protect: true, restStatus: 202 })
    .input(createRestoreInput)
    .output(restoreItem)
    .mutation(({ ctx, input }) => createRestore(ctx.db, ctx.plugins, ctx.principal, input)),

  get: procedure("viewer", { method: "GET", path: "/restores/{id}", tags: ["restores"], summary: "Get a restore: status, progress, log, safety backup", protect: true })
    .input(z.object({ id: z.uuid() }))
    .output(restoreItem)
    .query(({ ctx, input }) => getRestore(ctx.db, ctx.principal, input.id)),

  list: procedure("viewer", { method: "GET", path: "/restores", tags: ["restores"], summary: "List restores, newest first (filter by environmentId)", protect: true })
    .input(listRestoresInput)
    .output(restorePage)
    .query(({ ctx, input }) => listRestores(ctx.db, ctx.principal, input)),

  discardPreviousCopy: procedure("operator", { method: "POST", path: "/restores/{id}/discard-previous-copy", tags: ["restores"], summary: "Remove the data a restore kept aside", protect: true })
    .input(z.object({ id: z.uuid() }))
    .output(restoreItem)
    .mutation(({ ctx, input }) => discardPreviousCopy(ctx.db, ctx.plugins, ctx.principal, input.id)),
});
