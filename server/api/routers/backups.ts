import { z } from "zod";
import { procedure, router } from "@/server/api/trpc";
import { backupCountsInput, backupCountsOutput, countBackups } from "@/server/services/backup-counts";
import { retryCopyInput } from "@/server/services/backup-copies";
import { trustBackup, trustBackupInput } from "@/server/catalog/trust-backup";
import { createBackup, createBackupInput, deleteBackup, releaseBackup, retryCopy, updateBackup, updateBackupInput } from "@/server/services/backup-lifecycle";
import { retentionPreview, retentionPreviewOutput } from "@/server/services/retention-preview";
import { backupDetail, backupPage, getBackup, listBackups, listBackupsInput } from "@/server/services/backups";

export const backupsRouter = router({
  list: procedure("viewer", { method: "GET", path: "/backups", tags: ["backups"], summary: "List backups, newest first", protect: true })
    .input(listBackupsInput)
    .output(backupPage)
    .query(({ ctx, input }) => listBackups(ctx.db, ctx.principal, input)),

  counts: procedure("viewer", { method: "GET", path: "/backups/counts", tags: ["backups"], summary: "Count backups per status, with the list's filters except status", protect: true })
    .input(backupCountsInput)
    .output(backupCountsOutput)
    .query(({ ctx, input }) => countBackups(ctx.db, ctx.principal, input)),

  get: procedure("viewer", { method: "GET", path: "/backups/{id}", tags: ["backups"], summary: "Get a backup with its artifacts", protect: true })
    .input(z.object({ id: z.uuid() }))
    .output(backupDetail)
    .query(({ ctx, input }) => getBackup(ctx.db, ctx.principal, input.id)),

  create: procedure("operator", { method: "POST", path: "/environments/{environmentId}/backups", tags: ["backups"], summary: "Queue a manual backup, or with type pre_upgrade one held until released (202: it runs in the environment's queue)", protect: true, restStatus: 202 })
    .input(createBackupInput)
    .output(backupDetail)
    .mutation(({ ctx, input }) => createBackup(ctx.db, ctx.principal, input)),

  update: procedure("operator", { method: "PUT", path: "/backups/{id}", tags: ["backups"], summary: "Rename a backup, edit its notes, pin or unpin it (the fields given)", protect: true })
    .input(updateBackupInput)
    .output(backupDetail)
    .mutation(({ ctx, input }) => updateBackup(ctx.db, ctx.principal, input)),

  release: procedure("operator", { method: "POST", path: "/backups/{id}/release", tags: ["backups"], summary: "Release a held pre-upgrade backup: its retention class applies again", protect: true })
    .input(z.object({ id: z.uuid() }))
    .output(backupDetail)
    .mutation(({ ctx, input }) => releaseBackup(ctx.db, ctx.principal, input.id)),

  retentionPreview: procedure("viewer", { method: "GET", path: "/environments/{id}/retention-preview", tags: ["backups"], summary: "Which completed backups the environment's retention policy keeps, and why", protect: true })
    .input(z.object({ id: z.uuid() }))
    .output(retentionPreviewOutput)
    .query(({ ctx, input }) => retentionPreview(ctx.db, ctx.principal, input.id)),

  delete: procedure("operator", { method: "DELETE", path: "/backups/{id}", tags: ["backups"], summary: "Delete a backup and its files in storage", protect: true, restStatus: 204 })
    .input(z.object({ id: z.uuid() }))
    .output(z.void())
    .mutation(({ ctx, input }) => deleteBackup(ctx.db, ctx.plugins, ctx.principal, input.id)),

  retryCopy: procedure("operator", { method: "POST", path: "/backups/{backupId}/copies/{storageLocationId}/retry", tags: ["backups"], summary: "Try a failed second copy of a backup again", protect: true, restStatus: 204 })
    .input(retryCopyInput)
    .output(z.void())
    .mutation(({ ctx, input }) => retryCopy(ctx.db, ctx.principal, input)),
  trust: procedure("admin", { method: "POST", path: "/backups/{backupId}/trust", tags: ["backups"], summary: "Trust a foreign backup a catalog import found (confirm: \"TRUST\"), so it can be restored", protect: true, restStatus: 204 })
    .input(trustBackupInput)
    .output(z.void())
    .mutation(({ ctx, input }) => trustBackup(ctx.db, ctx.principal, input)),
});
