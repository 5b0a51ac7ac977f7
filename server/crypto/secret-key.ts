import { createHash, createHmac, hkdfSync, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { env } from "@/server/env";

/** The key file used when SAFEHOLD_SECRET_KEY is unset: 32 random bytes, base64, mode 0600. */
export function keyFilePath(dataDir: string): string {
  return path.join(dataDir, "secret.key");
}

/** The master key a SAFEHOLD_SECRET_KEY value stands for. */
export function masterKeyFromText(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

export function readKeyFile(file: string): Buffer {
  const raw = Buffer.from(fs.readFileSync(file, "utf8").trim(), "base64");
  if (raw.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
  return raw;
}

function loadMasterKey(): Buffer {
  const configured = env().secretKey;
  if (configured) return masterKeyFromText(configured);
  const file = keyFilePath(env().dataDir);
  fs.mkdirSync(env().dataDir, { recursive: true, mode: 0o700 });
  try {
    // "wx": when several processes start at once, exactly one creates the key and the others read it.
    fs.writeFileSync(file, randomBytes(32).toString("base64") + "\n", { flag: "wx", mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  return readKeyFile(file);
}

let master: Buffer | undefined;

/** This console's master key: SAFEHOLD_SECRET_KEY, or data/secret.key (created on first use). */
export function currentMasterKey(): Buffer {
  master ??= loadMasterKey();
  return master;
}

export type KeyPurpose = "secrets-at-rest" | "auth" | "download-links" | "manifest-signing" | "self-backup";

/** A 32-byte key for one purpose, derived from the master key so a leak of one does not expose another. */
export function deriveKey(purpose: KeyPurpose, from: Buffer = currentMasterKey()): Buffer {
  return Buffer.from(hkdfSync("sha256", from, Buffer.alloc(0), `safehold/${purpose}`, 32));
}

/** A short public name of a master key (8 hex digits of an HMAC under it), to tell keys apart in messages. */
export function keyIdOf(key: Buffer): string {
  return createHmac("sha256", key).update("safehold/key-id").digest("hex").slice(0, 8);
}

export function resetKeyCache(): void {
  master = undefined;
}
