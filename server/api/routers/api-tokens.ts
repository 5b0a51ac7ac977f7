import { z } from "zod";
import { procedure, router } from "@/server/api/trpc";
import { createApiToken, createTokenInput, listApiTokens, revokeApiToken, tokenItem } from "@/server/services/api-tokens";

/** Each member manages their own tokens; a token carries its user's role, so a viewer's token can only read. */
export const apiTokensRouter = router({
  list: procedure("self")
    .input(z.void())
    .output(z.array(tokenItem))
    .query(({ ctx }) => listApiTokens(ctx.db, ctx.principal)),

  create: procedure("self")
    .input(createTokenInput)
    .mutation(({ ctx, input }) => createApiToken(ctx.db, ctx.principal, input)),

  revoke: procedure("self")
    .input(z.object({ id: z.uuid() }))
    .mutation(({ ctx, input }) => revokeApiToken(ctx.db, ctx.principal, input)),
});
