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

export const membersRouter = router({
  list: procedure("viewer")
    .input(z.void())
    .output(z.array(memberItem))
    .query(({ ctx }) => listMembers(ctx.db, ctx.principal)),

  add: procedure("admin")
    .input(addMemberInput)
    .mutation(({ ctx, input }) => addMember(ctx.db, ctx.principal, input)),

  changeRole: procedure("admin")
    .input(changeRoleInput)
    .mutation(({ ctx, input }) => changeMemberRole(ctx.db, ctx.principal, input)),

  remove: procedure("admin")
    .input(removeMemberInput)
    .mutation(({ ctx, input }) => removeMember(ctx.db, ctx.principal, input)),

  resetPassword: procedure("admin")
    .input(resetMemberInput)
    .output(z.object({ temporaryPassword: z.string() }))
    .mutation(({ ctx, input }) => resetMemberPassword(ctx.db, ctx.principal, input)),

  resetTwoFactor: procedure("owner")
    .input(resetMemberInput)
    .mutation(({ ctx, input }) => resetMemberTwoFactor(ctx.db, ctx.principal, input)),
});
