import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { deriveKey, keyIdOf } from "@/server/crypto/secret-key";

/** A sealed value as the database holds it (`v2.<keyId>.<iv>.<tag>.<ciphertext>`); only `server/db/sealed-columns.ts` makes and opens them. */
export type Sealed = string & { readonly __sealed: true };

/** Why a sealed value did not open: unknown format, written under another master key, or not sealed for this place. */
export type OpenFailure = { reason: "format" } | { reason: "other-key"; writtenWith: string | null } | { reason: "binding" };

export class SecretBoxError extends Error {
  constructor(readonly failure: OpenFailure) {
    super(`Sealed value does not open (${failure.reason})`);
  }
}

const CIPHER = "aes-256-gcm";

/**
 * AES-256-GCM under the master key's "secrets-at-rest" key, with `associatedData` authenticated (not stored):
 * the value opens only where the same associated data is given again.
 */
export function sealString(master: Buffer, plaintext: string, associatedData: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv(CIPHER, deriveKey("secrets-at-rest", master), iv);
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v2", keyIdOf(master), iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ciphertext.toString("base64url")].join(".") as Sealed;
}

function decrypt(master: Buffer, iv: string, tag: string, ciphertext: string, associatedData: string | null): string | null {
  const decipher = createDecipheriv(CIPHER, deriveKey("secrets-at-rest", master), Buffer.from(iv, "base64url"));
  if (associatedData !== null) decipher.setAAD(Buffer.from(associatedData, "utf8"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  try {
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}

/**
 * The plaintext of a v2 value sealed with `associatedData`, or of a v1 value (written before values were bound to
 * their place: it carries neither key id nor associated data). Throws SecretBoxError saying why it does not open.
 */
export function openString(master: Buffer, sealed: string, associatedData: string): string {
  const parts = sealed.split(".");
  if (parts[0] === "v1" && parts.length === 4) {
    const plaintext = decrypt(master, parts[1]!, parts[2]!, parts[3]!, null);
    if (plaintext === null) throw new SecretBoxError({ reason: "other-key", writtenWith: null });
    return plaintext;
  }
  if (parts[0] !== "v2" || parts.length !== 5) throw new SecretBoxError({ reason: "format" });
  const [, keyId, iv, tag, ciphertext] = parts as [string, string, string, string, string];
  if (keyId !== keyIdOf(master)) throw new SecretBoxError({ reason: "other-key", writtenWith: keyId });
  const plaintext = decrypt(master, iv, tag, ciphertext, associatedData);
  if (plaintext === null) throw new SecretBoxError({ reason: "binding" });
  return plaintext;
}
