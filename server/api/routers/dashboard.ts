import { z } from "zod";
import { procedure, router } from "@/server/api/trpc";
import { dashboardOutput, getDashboard } from "@/server/services/dashboard";

export const dashboardRouter = router({
  get: procedure("viewer", { method: "GET", path: "/dashboard", tags: ["dashboard"], summary: "Backup compliance, failures, storage used, the 30-day trend and the next scheduled runs", protect: true })
    .input(z.object({}))
    .output(dashboardOutput)
    .query(({ ctx }) => getDashboard(ctx.db, ctx.principal)),
});
