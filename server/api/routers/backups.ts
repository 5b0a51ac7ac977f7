import { z } from "zod";
import { procedure, router } from "@/server/api/trpc";
import { createBackup, createBackupInput, deleteBackup } from "@/server/services/backup-lifecycle";
import { backupDetail, backupPage, getBackup, listBackups, listBackupsInput } from "@/server/services/backups";

export const backupsRouter = router({
  list: procedure("viewer", { method: "GET", path: "/backups", tags: ["backups"], summary: "List backups, newest first", protect: true })
    .input(listBackupsInput)
    .output(backupPage)
    .query(({ ctx, input }) => listBackups(ctx.db, ctx.principal, input)),

  get: procedure("viewer", { method: "GET", path: "/backups/{id}", tags: ["backups"], summary: "Get a backup with its artifacts", protect: true })
    .input(z.object({ id: z.uuid() }))
    .output(backupDetail)
    .query(({ ctx, input }) => getBackup(ctx.db, ctx.principal, input.id)),

  create: procedure("operator", { method: "POST", path: "/environments/{environmentId}/backups", tags: ["backups"], summary: "Queue a manual backup (202: it runs in the environment's queue)", protect: true, restStatus: 202 })
    .input(createBackupInput)
    .output(backupDetail)
    .mutation(({ ctx, input }) => createBackup(ctx.db, ctx.principal, input)),

  delete: procedure("operator", { method: "DELETE", path: "/backups/{id}", tags: ["backups"], summary: "Delete a backup and its files in storage", protect: true, restStatus: 204 })
    .input(z.object({ id: z.uuid() }))
    .output(z.void())
    .mutation(({ ctx, input }) => deleteBackup(ctx.db, ctx.plugins, ctx.principal, input.id)),
});
