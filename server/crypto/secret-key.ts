import { createHash, hkdfSync, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { env } from "@/server/env";

const KEY_FILE = "secret.key";

function loadMasterKey(): Buffer {
  const configured = env().secretKey;
  if (configured) return createHash("sha256").update(configured, "utf8").digest();
  const file = path.join(env().dataDir, KEY_FILE);
  fs.mkdirSync(env().dataDir, { recursive: true });
  try {
    // "wx": when several processes start at once, exactly one creates the key and the others read it.
    fs.writeFileSync(file, randomBytes(32).toString("base64") + "\n", { flag: "wx", mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  const raw = Buffer.from(fs.readFileSync(file, "utf8").trim(), "base64");
  if (raw.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
  return raw;
}

let master: Buffer | undefined;

export type KeyPurpose = "secrets-at-rest" | "auth" | "download-links" | "manifest-signing";

/** A 32-byte key for one purpose, derived from the master key so a leak of one does not expose another. */
export function deriveKey(purpose: KeyPurpose): Buffer {
  master ??= loadMasterKey();
  return Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), `safehold/${purpose}`, 32));
}

export function resetKeyCache(): void {
  master = undefined;
}
