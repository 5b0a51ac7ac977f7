import { bech32 } from "@scure/base";
import { recipientOf } from "@/server/crypto/age-stream";
import { currentMasterKey, deriveKey } from "@/server/crypto/secret-key";

/**
 * The age X25519 key pair the console's self-backups are encrypted to, derived from the console's secret key:
 * the secret key alone recovers them (`safehold recover`), and `age -d` with this identity decrypts them by hand.
 */
export async function selfBackupKey(master: Buffer = currentMasterKey()): Promise<{ identity: string; recipient: string }> {
  const identity = bech32.encodeFromBytes("AGE-SECRET-KEY-", deriveKey("self-backup", master)).toUpperCase();
  return { identity, recipient: await recipientOf(identity) };
}
