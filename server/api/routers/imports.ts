import { procedure, router } from "@/server/api/trpc";
import { backupDetail } from "@/server/services/backups";
import { createImport, createImportInput } from "@/server/services/imports";

export const importsRouter = router({
  create: procedure("operator", {
    method: "POST",
    path: "/environments/{environmentId}/imports",
    tags: ["backups"],
    summary: "Import an Odoo zip or a pg_dump from a URL or a path on the environment's server as a backup of type imported (202: it runs in the environment's queue)",
    protect: true,
    restStatus: 202,
  })
    .input(createImportInput)
    .output(backupDetail)
    .mutation(({ ctx, input }) => createImport(ctx.db, ctx.plugins, ctx.principal, input)),
});
