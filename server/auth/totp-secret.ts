import type { Sealed } from "@/server/crypto/secret-box";
import { openSecret, SEALED_COLUMNS, sealSecret } from "@/server/db/sealed-columns";

/** A user's TOTP secret as stored: sealed for its row like every other secret, so a database dump does not give away the second factor. */
export function sealTotpSecret(userId: string, secretBase32: string): Sealed {
  return sealSecret(SEALED_COLUMNS.userTotpSecret, userId, secretBase32);
}

export function openTotpSecret(userId: string, sealed: Sealed): string {
  return openSecret(SEALED_COLUMNS.userTotpSecret, userId, sealed);
}
