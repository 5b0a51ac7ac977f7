import { procedure, router } from "@/server/api/trpc";
import { activityPage, listActivity, listActivityInput } from "@/server/services/activity";

export const activityRouter = router({
  list: procedure("viewer", { method: "GET", path: "/activity", tags: ["activity"], summary: "The organization's activity log, newest first (filter by outcome, targetType)", protect: true })
    .input(listActivityInput)
    .output(activityPage)
    .query(({ ctx, input }) => listActivity(ctx.db, ctx.principal, input)),
});
