import type { Db } from "@/server/db";
import type { Run } from "@/server/jobs/run-lifecycle";
import { effectivePolicyFor } from "@/server/services/backup-policies";
import { ensureOrganizationKey } from "@/server/services/organization-keys";
import type { BackupJob } from "./load-backup-job";

/** The organization key a backup's files are encrypted to. */
export type BackupEncryption = { keyId: string; recipient: string };

/**
 * Whether the environment's effective policy encrypts, and to which key: the organization's current one, made now
 * when it has none yet (an organization that never turned encryption on explicitly), so no backup the policy
 * says to encrypt is stored in the clear.
 */
export async function encryptionFor(db: Db, job: BackupJob, run: Run): Promise<BackupEncryption | null> {
  const policy = await effectivePolicyFor(db, job.backup.orgId, job.environment.id);
  if (!policy.encrypt) return null;
  const key = await ensureOrganizationKey(db, job.backup.orgId);
  if (key.created) await run.log(`Created the organization key ${key.recipient}: an owner should save its recovery kit (Settings › Encryption)`, "warn");
  await run.log(`Encrypting each file (age) to the organization key ${key.recipient}`);
  return { keyId: key.id, recipient: key.recipient };
}
