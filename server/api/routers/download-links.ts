import { z } from "zod";
import { procedure, router } from "@/server/api/trpc";
import { createDownloadLink, createDownloadLinkInput, createdDownloadLink, downloadLinkItem, listDownloadLinks, revokeDownloadLink } from "@/server/services/download-links";

export const downloadLinksRouter = router({
  // Viewers may create links when their organization allows it; the service checks that setting.
  create: procedure("viewer", { method: "POST", path: "/backups/{backupId}/download-links", tags: ["backups"], summary: "Create an expiring download link for one file of a completed backup, or for the backup in an export format of its source (`format`, optionally `neutralize`)", protect: true })
    .input(createDownloadLinkInput)
    .output(createdDownloadLink)
    .mutation(({ ctx, input }) => createDownloadLink(ctx.db, ctx.plugins, ctx.principal, input, input.expiresIn)),

  list: procedure("viewer", { method: "GET", path: "/backups/{backupId}/download-links", tags: ["backups"], summary: "The download links issued for a backup, with their expiry and revocation", protect: true })
    .input(z.object({ backupId: z.uuid() }))
    .output(z.object({ items: z.array(downloadLinkItem), nextCursor: z.null() }))
    .query(async ({ ctx, input }) => ({ items: await listDownloadLinks(ctx.db, ctx.plugins, ctx.principal, input.backupId), nextCursor: null })),

  revoke: procedure("operator", { method: "POST", path: "/download-links/{id}/revoke", tags: ["backups"], summary: "Revoke a download link before it expires", protect: true, restStatus: 204 })
    .input(z.object({ id: z.uuid() }))
    .output(z.void())
    .mutation(({ ctx, input }) => revokeDownloadLink(ctx.db, ctx.principal, input.id)),
});
