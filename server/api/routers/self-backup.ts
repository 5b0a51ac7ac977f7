import { z } from "zod";
import { procedure, router } from "@/server/api/trpc";
import { getSelfBackup, runSelfBackupNow, selfBackupView, updateSelfBackup, updateSelfBackupInput } from "@/server/services/self-backup";

export const selfBackupRouter = router({
  get: procedure("admin", { method: "GET", path: "/self-backup", tags: ["self-backup"], summary: "The console's self-backup settings and its last runs", protect: true })
    .input(z.object({}))
    .output(selfBackupView)
    .query(({ ctx }) => getSelfBackup(ctx.db, ctx.principal)),

  update: procedure("admin", { method: "PUT", path: "/self-backup", tags: ["self-backup"], summary: "Turn the console's self-backup on or off, its schedule (cron, UTC) and storage location", protect: true })
    .input(updateSelfBackupInput)
    .output(selfBackupView)
    .mutation(({ ctx, input }) => updateSelfBackup(ctx.db, ctx.principal, input)),

  runNow: procedure("admin", { method: "POST", path: "/self-backup/runs", tags: ["self-backup"], summary: "Back up the console's own database now", protect: true, restStatus: 202 })
    .input(z.object({}))
    .output(selfBackupView)
    .mutation(({ ctx }) => runSelfBackupNow(ctx.db, ctx.principal)),
});
