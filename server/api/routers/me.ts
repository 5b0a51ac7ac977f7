import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { procedure, router } from "@/server/api/trpc";
import { ACTIVE_ORG_COOKIE } from "@/server/auth/session-principal";
import { listUserOrganizations } from "@/server/services/organizations";

export const meRouter = router({
  get: procedure("self")
    .input(z.void())
    .query(async ({ ctx }) => {
      const { principal } = ctx;
      const organizations = principal.userId ? await listUserOrganizations(ctx.db, principal.userId) : [];
      return { userId: principal.userId, label: principal.label, orgId: principal.orgId, role: principal.role, organizations };
    }),

  switchOrganization: procedure("self")
    .input(z.object({ orgId: z.uuid() }))
    .mutation(async ({ ctx, input }) => {
      const organizations = ctx.principal.userId ? await listUserOrganizations(ctx.db, ctx.principal.userId) : [];
      if (!organizations.some((o) => o.id === input.orgId)) throw new TRPCError({ code: "NOT_FOUND", message: "Organization not found" });
      ctx.resHeaders?.append("Set-Cookie", `${ACTIVE_ORG_COOKIE}=${input.orgId}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000`);
      return { orgId: input.orgId };
    }),
});
