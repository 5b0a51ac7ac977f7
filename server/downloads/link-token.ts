import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { deriveKey } from "@/server/crypto/secret-key";
import { ARTIFACT_KINDS } from "@/server/db/schema";

const claims = z.object({ l: z.uuid(), b: z.uuid(), a: z.enum(ARTIFACT_KINDS), e: z.number().int() });

/** What a console download link carries: the link (for revocation), the backup, the artifact and the expiry. */
export type LinkClaims = { linkId: string; backupId: string; artifact: (typeof ARTIFACT_KINDS)[number]; expiresAt: Date };

function mac(payload: string): Buffer {
  return createHmac("sha256", deriveKey("download-links")).update(payload).digest();
}

/** `<payload>.<signature>`, both base64url: the console can check it without a database lookup. */
export function signLinkToken(c: LinkClaims): string {
  const payload = Buffer.from(JSON.stringify({ l: c.linkId, b: c.backupId, a: c.artifact, e: Math.ceil(c.expiresAt.getTime() / 1000) })).toString("base64url");
  return `${payload}.${mac(payload).toString("base64url")}`;
}

/** The token's claims when its signature is ours; null for anything tampered with or malformed. */
export function verifyLinkToken(token: string): LinkClaims | null {
  const [payload, signature, extra] = token.split(".");
  if (!payload || !signature || extra !== undefined) return null;
  const given = Buffer.from(signature, "base64url");
  const expected = mac(payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const parsed = claims.safeParse(JSON.parse(Buffer.from(payload, "base64url").toString("utf8")));
    if (!parsed.success) return null;
    return { linkId: parsed.data.l, backupId: parsed.data.b, artifact: parsed.data.a, expiresAt: new Date(parsed.data.e * 1000) };
  } catch {
    return null;
  }
}
