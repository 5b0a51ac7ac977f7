import { eq } from "drizzle-orm";
import { z } from "zod";
import { throttledAttempt, type AttemptOutcome } from "@/server/auth/login-throttle";
import { hashPassword, verifyPassword } from "@/server/auth/password";
import { assertPasswordFor, newPasswordSchema } from "@/server/auth/password-policy";
import type { Principal } from "@/server/auth/principal";
import { issueRecoveryCodes, unusedRecoveryCodes } from "@/server/auth/recovery-codes";
import { endAllSessions, listLiveSessions, revokeSession } from "@/server/auth/sessions";
import { acceptTotp, newTotpSecret, totpEnrolment } from "@/server/auth/totp";
import { openTotpSecret, sealTotpSecret } from "@/server/auth/totp-secret";
import type { Db, DbOrTx } from "@/server/db";
import { recoveryCodes, users } from "@/server/db/schema";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/server/errors";
import { recordActivity } from "./activity";
import { describeUserAgent } from "./user-agent";

function userIdOf(actor: Principal): string {
  if (!actor.userId) throw new ForbiddenError("Only a signed-in person has an account");
  return actor.userId;
}

async function loadUser(db: DbOrTx, actor: Principal) {
  const [user] = await db.select().from(users).where(eq(users.id, userIdOf(actor)));
  if (!user) throw new NotFoundError("User");
  return user;
}

/**
 * Changes to the account itself are made by the person at the keyboard, proving it with their password: the
 * check is throttled like a sign-in, so a borrowed session cannot be used to guess it.
 */
async function assertCurrentPassword(db: Db, actor: Principal, password: string) {
  const user = await loadUser(db, actor);
  const result = await throttledAttempt(db, user.email, null, async (): Promise<AttemptOutcome<typeof user>> =>
    (await verifyPassword(password, user.passwordHash)) ? { outcome: "success", value: user } : { outcome: "failure" },
  );
  if (result.outcome !== "success") throw new ValidationError("Your current password is not right", { currentPassword: "Not your current password" });
  return result.value;
}

export const accountItem = z.object({
  email: z.string(),
  name: z.string(),
  pending: z.enum(["password_change", "two_factor_enrolment"]).nullable(),
  passwordChangedAt: z.string().nullable(),
  twoFactor: z.object({ enabled: z.boolean(), enabledAt: z.string().nullable(), recoveryCodesLeft: z.number() }),
  sessions: z.array(z.object({ id: z.string(), device: z.string(), ip: z.string().nullable(), lastSeenAt: z.string(), createdAt: z.string(), current: z.boolean() })),
});

export async function getAccount(db: DbOrTx, actor: Principal): Promise<z.infer<typeof accountItem>> {
  const user = await loadUser(db, actor);
  const sessions = await listLiveSessions(db, user.id);
  return {
    email: user.email,
    name: user.name,
    pending: actor.pending ?? null,
    passwordChangedAt: user.passwordChangedAt?.toISOString() ?? null,
    twoFactor: { enabled: Boolean(user.totpEnabledAt), enabledAt: user.totpEnabledAt?.toISOString() ?? null, recoveryCodesLeft: await unusedRecoveryCodes(db, user.id) },
    sessions: sessions.map((s) => ({
      id: s.id,
      device: describeUserAgent(s.userAgent),
      ip: s.ip,
      lastSeenAt: s.lastSeenAt.toISOString(),
      createdAt: s.createdAt.toISOString(),
      current: s.id === actor.sessionId,
    })),
  };
}

export const changePasswordInput = z.object({ currentPassword: z.string().min(1, "Enter your current password").max(200), newPassword: newPasswordSchema });

/** A new password, proved by the current one; every other session ends. */
export async function changePassword(db: Db, actor: Principal, input: z.infer<typeof changePasswordInput>) {
  const user = await assertCurrentPassword(db, actor, input.currentPassword);
  if (input.newPassword === input.currentPassword) throw new ValidationError("Choose a password you have not been using", { newPassword: "Same as the current password" });
  assertPasswordFor(input.newPassword, user, "newPassword");
  await db.transaction(async (tx) => {
    await tx
      .update(users)
      .set({ passwordHash: await hashPassword(input.newPassword), mustChangePassword: false, passwordChangedAt: new Date() })
      .where(eq(users.id, user.id));
    await endAllSessions(tx, user.id, actor.sessionId);
    await recordActivity(tx, actor, { action: "account.change_password", targetType: "user", targetId: user.id, targetLabel: user.email, message: "Other sessions ended" });
  });
}

export const passwordProofInput = z.object({ currentPassword: z.string().min(1, "Enter your current password").max(200) });

/** Step 1 of enrolment: a new secret, kept unused until a code from it is confirmed. */
export async function startTwoFactor(db: Db, actor: Principal, input: z.infer<typeof passwordProofInput>) {
  const user = await assertCurrentPassword(db, actor, input.currentPassword);
  if (user.totpEnabledAt) throw new ConflictError("Two-factor sign-in is already on: turn it off first to set up a new authenticator");
  const secret = newTotpSecret();
  await db.update(users).set({ totpSecret: sealTotpSecret(user.id, secret), totpLastStep: null }).where(eq(users.id, user.id));
  return totpEnrolment(secret, user.email);
}

export const confirmTwoFactorInput = z.object({ code: z.string().trim().min(1, "Enter the 6-digit code from your authenticator app").max(16) });

/** Step 2: a code from the authenticator turns two-factor sign-in on; the ten recovery codes are shown this once. */
export async function confirmTwoFactor(db: Db, actor: Principal, input: z.infer<typeof confirmTwoFactorInput>) {
  const user = await loadUser(db, actor);
  if (user.totpEnabledAt) throw new ConflictError("Two-factor sign-in is already on");
  if (!user.totpSecret) throw new ConflictError("Start the set-up again: no authenticator is waiting to be confirmed");
  const step = acceptTotp(openTotpSecret(user.id, user.totpSecret), input.code, null);
  if (step === null) throw new ValidationError("That code is not right: check that your device's clock is correct and try the current code", { code: "Not the current code" });
  return db.transaction(async (tx) => {
    await tx.update(users).set({ totpEnabledAt: new Date(), totpLastStep: step }).where(eq(users.id, user.id));
    const codes = await issueRecoveryCodes(tx, user.id);
    await endAllSessions(tx, user.id, actor.sessionId);
    await recordActivity(tx, actor, { action: "account.enable_two_factor", targetType: "user", targetId: user.id, targetLabel: user.email, message: "Other sessions ended" });
    return { recoveryCodes: codes };
  });
}

/** Turns two-factor sign-in off (to switch devices, the user then sets it up again); every other session ends. */
export async function disableTwoFactor(db: Db, actor: Principal, input: z.infer<typeof passwordProofInput>) {
  const user = await assertCurrentPassword(db, actor, input.currentPassword);
  if (!user.totpEnabledAt && !user.totpSecret) throw new ConflictError("Two-factor sign-in is not on");
  await db.transaction(async (tx) => {
    await clearTwoFactor(tx, user.id);
    await endAllSessions(tx, user.id, actor.sessionId);
    await recordActivity(tx, actor, { action: "account.disable_two_factor", targetType: "user", targetId: user.id, targetLabel: user.email, message: "Other sessions ended" });
  });
}

/** Removes a user's authenticator and recovery codes (their own choice, or an owner's reset). */
export async function clearTwoFactor(db: DbOrTx, userId: string): Promise<void> {
  await db.update(users).set({ totpSecret: null, totpEnabledAt: null, totpLastStep: null }).where(eq(users.id, userId));
  await db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
}

export async function regenerateRecoveryCodes(db: Db, actor: Principal, input: z.infer<typeof passwordProofInput>) {
  const user = await assertCurrentPassword(db, actor, input.currentPassword);
  if (!user.totpEnabledAt) throw new ConflictError("Turn on two-factor sign-in first");
  return db.transaction(async (tx) => {
    const codes = await issueRecoveryCodes(tx, user.id);
    await recordActivity(tx, actor, { action: "account.new_recovery_codes", targetType: "user", targetId: user.id, targetLabel: user.email });
    return { recoveryCodes: codes };
  });
}

export async function endSession(db: DbOrTx, actor: Principal, input: { id: string }) {
  await revokeSession(db, userIdOf(actor), input.id);
}

/** "Sign out everywhere": every session of this user ends, this one included. */
export async function signOutEverywhere(db: Db, actor: Principal) {
  const userId = userIdOf(actor);
  await db.transaction(async (tx) => {
    await endAllSessions(tx, userId);
    await recordActivity(tx, actor, { action: "account.sign_out_everywhere", targetType: "user", targetId: userId, targetLabel: actor.label });
  });
}
