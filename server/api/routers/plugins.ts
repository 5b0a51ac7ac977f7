import { z } from "zod";
import { procedure, router } from "@/server/api/trpc";
import { listContributions, listPlugins, pluginItem } from "@/server/services/plugins";

export const pluginsRouter = router({
  list: procedure("viewer", { method: "GET", path: "/plugins", tags: ["plugins"], summary: "Installed plugins and their contributions", protect: true })
    .input(z.object({}))
    .output(z.object({ items: z.array(pluginItem), nextCursor: z.null() }))
    .query(({ ctx }) => ({ items: listPlugins(ctx.plugins), nextCursor: null })),

  contributions: procedure("viewer")
    .input(z.object({ kind: z.enum(["sources", "storageProviders", "serverKinds", "notifiers"]) }))
    .query(({ ctx, input }) => listContributions(ctx.plugins, input.kind)),
});
