import { z } from "zod";
import { procedure, router } from "@/server/api/trpc";
import {
  confirmRecoveryKit,
  createOrganizationKey,
  getRecoveryKit,
  listOrganizationKeys,
  organizationKeyItem,
  recoveryKit,
  rotateOrganizationKey,
  rotateOrganizationKeyInput,
} from "@/server/services/organization-keys";

const tags = ["organization"];

export const organizationKeysRouter = router({
  list: procedure("viewer", { method: "GET", path: "/organization/keys", tags, summary: "The organization's encryption keys (public halves), current first, with how many backup files use each", protect: true })
    .input(z.void())
    .output(z.object({ items: z.array(organizationKeyItem), nextCursor: z.null() }))
    .query(async ({ ctx }) => ({ items: await listOrganizationKeys(ctx.db, ctx.principal), nextCursor: null })),

  create: procedure("owner", { method: "POST", path: "/organization/keys", tags, summary: "Create the organization key, for an organization that has none", protect: true })
    .input(z.object({}))
    .output(organizationKeyItem)
    .mutation(({ ctx }) => createOrganizationKey(ctx.db, ctx.principal)),

  rotate: procedure("owner", { method: "POST", path: "/organization/keys/rotate", tags, summary: "Make a new current organization key; the previous one is kept to read older backups", protect: true })
    .input(rotateOrganizationKeyInput)
    .output(organizationKeyItem)
    .mutation(({ ctx, input }) => rotateOrganizationKey(ctx.db, ctx.principal, input)),

  // A mutation: each download of a private key is an event, recorded in the activity log.
  recoveryKit: procedure("owner", { method: "POST", path: "/organization/keys/{id}/recovery-kit", tags, summary: "The recovery kit (private key) of a key whose kit is not confirmed yet", protect: true })
    .input(z.object({ id: z.uuid() }))
    .output(recoveryKit)
    .mutation(({ ctx, input }) => getRecoveryKit(ctx.db, ctx.principal, input.id)),

  confirmKit: procedure("owner", { method: "POST", path: "/organization/keys/{id}/confirm-kit", tags, summary: "Confirm having saved a key's recovery kit: the console never sends it again", protect: true })
    .input(z.object({ id: z.uuid() }))
    .output(organizationKeyItem)
    .mutation(({ ctx, input }) => confirmRecoveryKit(ctx.db, ctx.principal, input.id)),
});
