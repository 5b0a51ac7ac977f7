import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { procedure, router } from "@/server/api/trpc";
import { ACTIVE_ORG_COOKIE } from "@/server/auth/session-principal";
import { ROLES, TWO_FACTOR_REQUIREMENTS } from "@/server/db/schema";
import { listUserOrganizations } from "@/server/services/organizations";

const meOutput = z.object({
  userId: z.string().nullable(),
  label: z.string(),
  orgId: z.string(),
  role: z.enum(ROLES),
  organizations: z.array(z.object({ id: z.string(), name: z.string(), role: z.enum(ROLES), twoFactorRequired: z.enum(TWO_FACTOR_REQUIREMENTS) })),
});

export const meRouter = router({
  get: procedure("self", { method: "GET", path: "/me", tags: ["account"], summary: "Who the caller is: their user, this organization, their role here and their organizations", protect: true })
    .input(z.void())
    .output(meOutput)
    .query(async ({ ctx }) => {
      const { principal } = ctx;
      const organizations = principal.userId ? await listUserOrganizations(ctx.db, principal.userId) : [];
      return { userId: principal.userId, label: principal.label, orgId: principal.orgId, role: principal.role, organizations };
    }),

  // Not in the REST API: it sets the browser session's cookie; a token belongs to one organization.
  switchOrganization: procedure("self")
    .input(z.object({ orgId: z.uuid() }))
    .mutation(async ({ ctx, input }) => {
      const organizations = ctx.principal.userId ? await listUserOrganizations(ctx.db, ctx.principal.userId) : [];
      if (!organizations.some((o) => o.id === input.orgId)) throw new TRPCError({ code: "NOT_FOUND", message: "Organization not found" });
      ctx.resHeaders?.append("Set-Cookie", `${ACTIVE_ORG_COOKIE}=${input.orgId}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000`);
      return { orgId: input.orgId };
    }),
});
