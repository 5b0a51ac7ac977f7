import { z } from "zod";
import { procedure, router } from "@/server/api/trpc";
import {
  addMember,
  addMemberInput,
  changeMemberRole,
  changeRoleInput,
  listMembers,
  memberItem,
  removeMember,
  removeMemberInput,
  resetMemberInput,
  resetMemberPassword,
  resetMemberTwoFactor,
} from "@/server/services/members";

const tags = ["members"];

export const membersRouter = router({
  list: procedure("viewer", { method: "GET", path: "/members", tags, summary: "The organization's members and their roles", protect: true })
    .input(z.void())
    .output(z.object({ items: z.array(memberItem), nextCursor: z.null() }))
    .query(async ({ ctx }) => ({ items: await listMembers(ctx.db, ctx.principal), nextCursor: null })),

  add: procedure("admin", { method: "POST", path: "/members", tags, summary: "Add a member: someone with an account on this console, or (signed in only) a new account", protect: true })
    .input(addMemberInput)
    .output(z.object({ userId: z.string() }))
    .mutation(({ ctx, input }) => addMember(ctx.db, ctx.principal, input)),

  changeRole: procedure("admin", { method: "PUT", path: "/members/{userId}", tags, summary: "Change a member's role", protect: true, restStatus: 204 })
    .input(changeRoleInput)
    .output(z.void())
    .mutation(({ ctx, input }) => changeMemberRole(ctx.db, ctx.principal, input)),

  remove: procedure("admin", { method: "DELETE", path: "/members/{userId}", tags, summary: "Remove a member from the organization (their sessions end)", protect: true, restStatus: 204 })
    .input(removeMemberInput)
    .output(z.void())
    .mutation(({ ctx, input }) => removeMember(ctx.db, ctx.principal, input)),

  // Not in the REST API: they hand out a way to sign in as someone, which a leaked token must never get.
  resetPassword: procedure("admin")
    .input(resetMemberInput)
    .output(z.object({ temporaryPassword: z.string() }))
    .mutation(({ ctx, input }) => resetMemberPassword(ctx.db, ctx.principal, input)),

  resetTwoFactor: procedure("owner")
    .input(resetMemberInput)
    .mutation(({ ctx, input }) => resetMemberTwoFactor(ctx.db, ctx.principal, input)),
});
