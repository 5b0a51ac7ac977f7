import bcrypt from "bcryptjs";

const COST = 11;

/**
 * A bcrypt hash (same cost) of a random password nobody knows: a sign-in for an unknown email is checked against
 * it, so it takes as long as one for a known email and the timing does not tell which emails have accounts.
 */
const DUMMY_HASH = "$2b$11$lcqXbinOW0am3cPfAhQFUuKi8caiaUf7w5/5sfYtv5JX/Kg6/6Dau";

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, COST);
}

/** Whether `password` matches `hash`; with no hash (no such user) it still spends the time of a real check. */
export async function verifyPassword(password: string, hash: string | undefined): Promise<boolean> {
  const matches = await bcrypt.compare(password, hash ?? DUMMY_HASH);
  return hash !== undefined && matches;
}
