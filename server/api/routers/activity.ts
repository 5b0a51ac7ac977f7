import { procedure, router } from "@/server/api/trpc";
import { activityPage, listActivity, listActivityInput } from "@/server/services/activity";

export const activityRouter = router({
  list: procedure("viewer")
    .input(listActivityInput)
    .output(activityPage)
    .query(({ ctx, input }) => listActivity(ctx.db, ctx.principal, input)),
});
