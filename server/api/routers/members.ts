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
});
