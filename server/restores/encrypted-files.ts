import { recipientOf } from "@/server/crypto/age-stream";
import type { DbOrTx } from "@/server/db";
import { RunFailure } from "@/server/jobs/run-failure";
import { organizationIdentities } from "@/server/services/organization-keys";
import type { ArtifactToLoad } from "./artifact-stream";

/**
 * The organization's private keys (current and retired) when any file to load is encrypted, checked before
 * anything is touched: a file encrypted to a key the console does not hold fails the run as a precondition
 * (nothing can be loaded, and no safety backup or fresh copy is worth making), naming the key it needs.
 */
export async function identitiesFor(db: DbOrTx, orgId: string, files: Map<string, ArtifactToLoad>): Promise<string[]> {
  const encrypted = [...files.values()].filter((f) => f.encryption);
  if (encrypted.length === 0) return [];
  const identities = await organizationIdentities(db, orgId);
  const held = new Set(await Promise.all(identities.map((identity) => recipientOf(identity))));
  for (const file of encrypted) {
    if (!held.has(file.encryption!.recipient)) {
      throw new RunFailure(
        "precondition",
        `The ${file.kind} file is encrypted to ${file.encryption!.recipient}, a key this console does not hold (Settings › Encryption lists the organization's keys); only that key's recovery kit can decrypt it (age -d -i kit.txt)`,
      );
    }
  }
  return identities;
}
