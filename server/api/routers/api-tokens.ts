import { z } from "zod";
import { procedure, router } from "@/server/api/trpc";
import { createApiToken, createTokenInput, listApiTokens, revokeApiToken, tokenItem } from "@/server/services/api-tokens";

const tags = ["api tokens"];

/** Each member manages their own tokens; a token carries its user's role, so a viewer's token can only read. */
export const apiTokensRouter = router({
  list: procedure("self", { method: "GET", path: "/api-tokens", tags, summary: "Your API tokens in this organization (never the token itself)", protect: true })
    .input(z.void())
    .output(z.object({ items: z.array(tokenItem), nextCursor: z.null() }))
    .query(async ({ ctx }) => ({ items: await listApiTokens(ctx.db, ctx.principal), nextCursor: null })),

  // Not in the REST API: an API token cannot create tokens (the service refuses it too), so a leaked one cannot outlive its revocation.
  create: procedure("self")
    .input(createTokenInput)
    .mutation(({ ctx, input }) => createApiToken(ctx.db, ctx.principal, input)),

  revoke: procedure("self", { method: "POST", path: "/api-tokens/{id}/revoke", tags, summary: "Revoke one of your API tokens (a token may revoke itself)", protect: true, restStatus: 204 })
    .input(z.object({ id: z.uuid() }))
    .output(z.void())
    .mutation(({ ctx, input }) => revokeApiToken(ctx.db, ctx.principal, input)),
});
