import { z } from "zod";
import { procedure, router } from "@/server/api/trpc";
import { getOverview, overviewOutput } from "@/server/services/overview";

export const overviewRouter = router({
  get: procedure("viewer", { method: "GET", path: "/overview", tags: ["dashboard"], summary: "How many projects, environments, servers, storage locations and members the organization has", protect: true })
    .input(z.void())
    .output(overviewOutput)
    .query(({ ctx }) => getOverview(ctx.db, ctx.principal)),
});
