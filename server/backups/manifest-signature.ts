import { createHmac, timingSafeEqual } from "node:crypto";
import { deriveKey } from "@/server/crypto/secret-key";

export type ManifestSignature = { algorithm: "HMAC-SHA256"; value: string };

type ManifestBody = Record<string, unknown>;

/**
 * The bytes a signature covers: the manifest without its `signature`, serialised as it is written. Parsing and
 * re-serialising gives the same bytes back (same key order, same values), so whitespace changes in storage do
 * not matter and any changed value does.
 */
function canonicalBytes(body: ManifestBody): Buffer {
  return Buffer.from(JSON.stringify(body, null, 2));
}

function hmac(body: ManifestBody, key: Buffer): Buffer {
  return createHmac("sha256", key).update(canonicalBytes(body)).digest();
}

/** The manifest with its `signature` (last), made with the console's key: storage cannot forge a matching one. */
export function signManifest<T extends ManifestBody>(body: T, key: Buffer = deriveKey("manifest-signing")): T & { signature: ManifestSignature } {
  return { ...body, signature: { algorithm: "HMAC-SHA256", value: hmac(body, key).toString("hex") } };
}

/**
 * The manifest's body (without `signature`) when `text` is a manifest signed with this console's key; null when
 * it is not JSON, has no signature, or its signature does not match its content.
 */
export function verifyManifestSignature(text: string, key: Buffer = deriveKey("manifest-signing")): ManifestBody | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return null;
  const { signature, ...body } = parsed as ManifestBody & { signature?: Partial<ManifestSignature> };
  if (signature?.algorithm !== "HMAC-SHA256" || typeof signature.value !== "string" || !/^[0-9a-f]{64}$/.test(signature.value)) return null;
  return timingSafeEqual(Buffer.from(signature.value, "hex"), hmac(body, key)) ? body : null;
}
