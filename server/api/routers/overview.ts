import { z } from "zod";
import { procedure, router } from "@/server/api/trpc";
import { getOverview, overviewOutput } from "@/server/services/overview";

export const overviewRouter = router({
  get: procedure("viewer")
    .input(z.void())
    .output(overviewOutput)
    .query(({ ctx }) => getOverview(ctx.db, ctx.principal)),
});
