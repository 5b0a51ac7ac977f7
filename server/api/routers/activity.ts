import { z } from "zod";
import { procedure, router } from "@/server/api/trpc";
import { activityFacets, activityPage, listActivity, listActivityFacets, listActivityInput } from "@/server/services/activity";

export const activityRouter = router({
  list: procedure("viewer", {
    method: "GET",
    path: "/activity",
    tags: ["activity"],
    summary: "The organization's activity log, newest first (filter by project, environment, action, user, outcome, people or system, dates and text; the same filters as CSV at /api/v1/activity.csv)",
    protect: true,
  })
    .input(listActivityInput)
    .output(activityPage)
    .query(({ ctx, input }) => listActivity(ctx.db, ctx.principal, input)),
  facets: procedure("viewer", { method: "GET", path: "/activity/facets", tags: ["activity"], summary: "The members and actions the activity log holds, to filter on", protect: true })
    .input(z.void())
    .output(activityFacets)
    .query(({ ctx }) => listActivityFacets(ctx.db, ctx.principal)),
});
