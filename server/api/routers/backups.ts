import { procedure, router } from "@/server/api/trpc";
import { backupPage, listBackups, listBackupsInput } from "@/server/services/backups";

export const backupsRouter = router({
  list: procedure("viewer")
    .input(listBackupsInput)
    .output(backupPage)
    .query(({ ctx, input }) => listBackups(ctx.db, ctx.principal, input)),
});
