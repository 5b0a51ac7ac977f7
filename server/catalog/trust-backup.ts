import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { backups } from "@/server/db/schema";
import { ConflictError, NotFoundError, ValidationError } from "@/server/errors";
import { recordActivity } from "@/server/services/activity";

export const trustBackupInput = z.object({ backupId: z.uuid(), confirm: z.string() });

/** The foreign-backup message a restore gives, in one place for the service and the run. */
export const UNTRUSTED_FOREIGN = "This backup was imported from storage without this console's signature for this organization (foreign): an admin must trust it before it can be restored";

/** An archived environment holds backups; nothing is restored into it. */
export const ARCHIVED_TARGET = "This environment is archived (destroyed, or a stand-in for backups of an environment this console no longer knows): restore into another environment or a new one";

/**
 * An admin's explicit confirmation that a foreign backup (imported, not signed by this console for this
 * organization) may be restored: its files are then loaded like any other backup's, checked against its manifest.
 */
export async function trustBackup(db: DbOrTx, actor: Principal, input: z.infer<typeof trustBackupInput>): Promise<void> {
  if (input.confirm !== "TRUST") throw new ValidationError("Type TRUST to confirm: this backup's content did not come from this console", { confirm: "Type TRUST to confirm" });
  const [backup] = await db.select().from(backups).where(and(eq(backups.id, input.backupId), eq(backups.orgId, actor.orgId)));
  if (!backup) throw new NotFoundError("Backup");
  if (backup.origin !== "foreign") throw new ConflictError("Only a foreign backup needs to be trusted");
  if (backup.trustedAt) throw new ConflictError("This backup is trusted already");
  await db.update(backups).set({ trustedAt: new Date(), trustedBy: actor.userId }).where(eq(backups.id, backup.id));
  await recordActivity(db, actor, {
    action: "backup.trust",
    targetType: "backup",
    targetId: backup.id,
    targetLabel: backup.name || backup.id,
    message: "Trusted a foreign backup imported from storage: it can now be restored",
  });
}
