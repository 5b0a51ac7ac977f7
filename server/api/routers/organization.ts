import { z } from "zod";
import { procedure, router } from "@/server/api/trpc";
import { getOrganization, organizationItem, updateOrganization, updateOrganizationInput } from "@/server/services/organizations";

export const organizationRouter = router({
  get: procedure("viewer", { method: "GET", path: "/organization", tags: ["organization"], summary: "The organization's name and settings", protect: true })
    .input(z.void())
    .output(organizationItem)
    .query(({ ctx }) => getOrganization(ctx.db, ctx.principal)),

  // Not in the REST API: its settings (two-factor requirement, viewer downloads) guard sign-in and data, changed by a signed-in person.
  update: procedure("admin")
    .input(updateOrganizationInput)
    .output(organizationItem)
    .mutation(({ ctx, input }) => updateOrganization(ctx.db, ctx.principal, input)),
});
