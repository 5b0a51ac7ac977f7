import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import { users } from "@/server/db/schema";
import { UnauthorizedError } from "@/server/errors";
import { findUserByEmail } from "@/server/services/users";
import { assertLoginAllowed, recordLoginAttempt } from "./login-throttle";
import { verifyPassword } from "./password";

/** Email + password sign-in, throttled. Throws with a message that can be shown on the sign-in page. */
export async function authenticate(db: DbOrTx, input: { email: string; password: string; ip: string | null }) {
  const email = input.email.trim().toLowerCase();
  await assertLoginAllowed(db, email, input.ip);
  const user = await findUserByEmail(db, email);
  const ok = user ? await verifyPassword(input.password, user.passwordHash) : false;
  await recordLoginAttempt(db, email, input.ip, ok);
  if (!user || !ok) throw new UnauthorizedError("Wrong email or password");
  await db.update(users).set({ lastSignInAt: new Date() }).where(eq(users.id, user.id));
  return { id: user.id, email: user.email, name: user.name };
}
