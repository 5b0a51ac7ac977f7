import { z } from "zod";
import { procedure, router } from "@/server/api/trpc";
import { getOrganization, organizationItem, updateOrganization, updateOrganizationInput } from "@/server/services/organizations";

export const organizationRouter = router({
  get: procedure("viewer")
    .input(z.void())
    .output(organizationItem)
    .query(({ ctx }) => getOrganization(ctx.db, ctx.principal)),

  update: procedure("admin")
    .input(updateOrganizationInput)
    .output(organizationItem)
    .mutation(({ ctx, input }) => updateOrganization(ctx.db, ctx.principal, input)),
});
