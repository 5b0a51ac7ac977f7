import { z } from "zod";
import { accountProcedure, router } from "@/server/api/trpc";
import {
  accountItem,
  changePassword,
  changePasswordInput,
  confirmTwoFactor,
  confirmTwoFactorInput,
  disableTwoFactor,
  endSession,
  getAccount,
  passwordProofInput,
  regenerateRecoveryCodes,
  signOutEverywhere,
  startTwoFactor,
} from "@/server/services/account";

/** The signed-in person's own account: password, two-factor sign-in and sessions. Not for API tokens. */
export const accountRouter = router({
  get: accountProcedure()
    .input(z.void())
    .output(accountItem)
    .query(({ ctx }) => getAccount(ctx.db, ctx.principal)),

  changePassword: accountProcedure()
    .input(changePasswordInput)
    .mutation(({ ctx, input }) => changePassword(ctx.db, ctx.principal, input)),

  startTwoFactor: accountProcedure()
    .input(passwordProofInput)
    .mutation(({ ctx, input }) => startTwoFactor(ctx.db, ctx.principal, input)),

  confirmTwoFactor: accountProcedure()
    .input(confirmTwoFactorInput)
    .mutation(({ ctx, input }) => confirmTwoFactor(ctx.db, ctx.principal, input)),

  disableTwoFactor: accountProcedure()
    .input(passwordProofInput)
    .mutation(({ ctx, input }) => disableTwoFactor(ctx.db, ctx.principal, input)),

  regenerateRecoveryCodes: accountProcedure()
    .input(passwordProofInput)
    .mutation(({ ctx, input }) => regenerateRecoveryCodes(ctx.db, ctx.principal, input)),

  endSession: accountProcedure()
    .input(z.object({ id: z.uuid() }))
    .mutation(({ ctx, input }) => endSession(ctx.db, ctx.principal, input)),

  signOutEverywhere: accountProcedure()
    .input(z.void())
    .mutation(({ ctx }) => signOutEverywhere(ctx.db, ctx.principal)),
});
