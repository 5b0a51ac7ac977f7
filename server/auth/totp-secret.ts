import { decryptString, encryptString } from "@/server/crypto/secret-box";

/** A user's TOTP secret as stored: sealed like every other secret, so a database dump does not give away the second factor. */
export function sealTotpSecret(_userId: string, secretBase32: string): string {
  return encryptString(secretBase32);
}

export function openTotpSecret(_userId: string, sealed: string): string {
  return decryptString(sealed);
}
