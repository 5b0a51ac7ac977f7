import { eq } from "drizzle-orm";
import type { Db } from "@/server/db";
import { users } from "@/server/db/schema";
import { UnauthorizedError } from "@/server/errors";
import { findUserByEmail } from "@/server/services/users";
import { throttledAttempt, type AttemptOutcome } from "./login-throttle";
import { verifyPassword } from "./password";
import { consumeRecoveryCode, looksLikeRecoveryCode } from "./recovery-codes";
import { createSession } from "./sessions";
import { acceptTotp } from "./totp";
import { TWO_FACTOR_REQUIRED } from "@/shared/sign-in-errors";
import { openTotpSecret } from "./totp-secret";

const EMAIL_MAX = 254;
/** Longer than any password the console ever accepted (bcrypt reads 72 bytes; older accounts allowed 200 characters). */
const PASSWORD_MAX = 200;

type SignedIn = { id: string; email: string; name: string; sessionId: string };

export type SignInInput = { email: string; password: string; code?: string; ip: string | null; userAgent: string };

/**
 * Email + password (+ a TOTP or recovery code when the user has two-factor sign-in), throttled, and a new session
 * on success. Throws with a message the sign-in page can show.
 */
export async function authenticate(db: Db, input: SignInInput) {
  const email = input.email.trim().toLowerCase();
  if (email.length > EMAIL_MAX || input.password.length > PASSWORD_MAX || (input.code?.length ?? 0) > 32) {
    throw new UnauthorizedError("Wrong email or password");
  }
  const result = await throttledAttempt(db, email, input.ip, async (tx): Promise<AttemptOutcome<SignedIn>> => {
    const user = await findUserByEmail(tx, email);
    if (!(await verifyPassword(input.password, user?.passwordHash)) || !user) return { outcome: "failure" };
    let totpStep: number | null = null;
    if (user.totpEnabledAt && user.totpSecret) {
      const code = input.code?.trim();
      if (!code) return { outcome: "incomplete" };
      totpStep = acceptTotp(openTotpSecret(user.id, user.totpSecret), code, user.totpLastStep);
      if (totpStep === null && !(looksLikeRecoveryCode(code) && (await consumeRecoveryCode(tx, user.id, code)))) return { outcome: "failure" };
    }
    await tx
      .update(users)
      .set({ lastSignInAt: new Date(), ...(totpStep !== null ? { totpLastStep: totpStep } : {}) })
      .where(eq(users.id, user.id));
    const sessionId = await createSession(tx, user.id, { userAgent: input.userAgent, ip: input.ip });
    return { outcome: "success", value: { id: user.id, email: user.email, name: user.name, sessionId } };
  });
  if (result.outcome === "incomplete") throw new UnauthorizedError(TWO_FACTOR_REQUIRED);
  if (result.outcome === "failure") throw new UnauthorizedError(input.code ? "Wrong code, email or password" : "Wrong email or password");
  return result.value;
}
