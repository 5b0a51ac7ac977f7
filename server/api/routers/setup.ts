import { z } from "zod";
import { publicProcedure, router } from "@/server/api/trpc";
import { countUsers, createFirstOwner, firstOwnerInput } from "@/server/services/users";

export const setupRouter = router({
  /** Whether the first-run setup is still open (no user exists yet). */
  status: publicProcedure()
    .input(z.void())
    .query(async ({ ctx }) => ({ needsSetup: (await countUsers(ctx.db)) === 0 })),

  createOwner: publicProcedure()
    .input(firstOwnerInput)
    .mutation(async ({ ctx, input }) => {
      const { user, org } = await createFirstOwner(ctx.db, input);
      return { email: user.email, organization: org.name };
    }),
});
