import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { SELF_BACKUP_STATUSES, selfBackupRuns, selfBackupSettings, storageLocations } from "@/server/db/schema";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/server/errors";
import { enqueueJob } from "@/server/jobs/enqueue";
import { latestSlot } from "@/server/schedules/latest-slot";
import { recordActivity } from "./activity";

export const selfBackupView = z.object({
  enabled: z.boolean(),
  schedule: z.string(),
  storageLocationId: z.string().nullable(),
  runs: z.array(
    z.object({
      id: z.string(),
      status: z.enum(SELF_BACKUP_STATUSES),
      key: z.string().nullable(),
      sizeBytes: z.number().nullable(),
      error: z.string().nullable(),
      scheduled: z.boolean(),
      startedAt: z.string(),
      finishedAt: z.string().nullable(),
    }),
  ),
});
export const updateSelfBackupInput = z.object({
  enabled: z.boolean(),
  schedule: z.string().trim().min(1).max(100),
  storageLocationId: z.uuid().nullable(),
});

const SETTINGS_ID = "console";

/**
 * The console's one self-backup setting belongs to the organization whose admin set it (its location is that
 * organization's): admins of another organization of the same console neither see nor change it.
 */
async function readSettings(db: DbOrTx, actor: Principal) {
  const [row] = await db.select().from(selfBackupSettings).where(eq(selfBackupSettings.id, SETTINGS_ID));
  if (row && row.orgId !== actor.orgId) throw new ForbiddenError("The console's self-backup is managed by another organization of this console");
  return row;
}

export async function getSelfBackup(db: DbOrTx, actor: Principal): Promise<z.infer<typeof selfBackupView>> {
  const settings = await readSettings(db, actor);
  const runs = settings ? await db.select().from(selfBackupRuns).orderBy(desc(selfBackupRuns.createdAt)).limit(10) : [];
  return {
    enabled: settings?.enabled ?? false,
    schedule: settings?.schedule ?? "0 3 * * *",
    storageLocationId: settings?.storageLocationId ?? null,
    runs: runs.map((r) => ({
      id: r.id,
      status: r.status,
      key: r.key,
      sizeBytes: r.sizeBytes,
      error: r.error,
      scheduled: r.scheduledFor !== null,
      startedAt: r.startedAt.toISOString(),
      finishedAt: r.finishedAt?.toISOString() ?? null,
    })),
  };
}

async function assertOwnLocation(db: DbOrTx, actor: Principal, id: string) {
  const [location] = await db.select({ id: storageLocations.id }).from(storageLocations).where(and(eq(storageLocations.id, id), eq(storageLocations.orgId, actor.orgId)));
  // Another organization's location is not told apart from one that does not exist.
  if (!location) throw new NotFoundError("Storage location");
}

export async function updateSelfBackup(db: DbOrTx, actor: Principal, input: z.infer<typeof updateSelfBackupInput>) {
  await readSettings(db, actor);
  if (latestSlot(input.schedule, "UTC", new Date(Date.now() + 400 * 24 * 3600 * 1000)) === null) throw new ValidationError("Not a cron schedule, e.g. 0 3 * * * (every day at 03:00 UTC)", { schedule: "Not a cron schedule" });
  if (input.storageLocationId) await assertOwnLocation(db, actor, input.storageLocationId);
  if (input.enabled && !input.storageLocationId) throw new ValidationError("Choose where the console's self-backups go", { storageLocationId: "Required while self-backup is on" });
  const values = { orgId: actor.orgId, enabled: input.enabled, schedule: input.schedule, storageLocationId: input.storageLocationId };
  await db.insert(selfBackupSettings).values({ id: SETTINGS_ID, ...values }).onConflictDoUpdate({ target: selfBackupSettings.id, set: { ...values, updatedAt: new Date() } });
  await recordActivity(db, actor, { action: "self_backup.update", targetType: "console", message: input.enabled ? `Self-backup on, ${input.schedule} (UTC)` : "Self-backup off" });
  return getSelfBackup(db, actor);
}

/** "Back up the console now": a run queued at once, to the configured location. */
export async function runSelfBackupNow(db: DbOrTx, actor: Principal) {
  const settings = await readSettings(db, actor);
  if (!settings?.storageLocationId) throw new ConflictError("Choose where the console's self-backups go first");
  await db.transaction(async (tx) => {
    const [run] = await tx.insert(selfBackupRuns).values({ storageLocationId: settings.storageLocationId, requestedBy: actor.userId }).returning({ id: selfBackupRuns.id });
    await enqueueJob(tx, "self-backup/run", { runId: run!.id }, { queueName: "self-backup", maxAttempts: 1 });
    await recordActivity(tx, actor, { action: "self_backup.run", targetType: "console", message: "Back up the console now" });
  });
  return getSelfBackup(db, actor);
}

/** The scheduler's part: queues the run of the schedule's latest slot once (the slot is unique among runs). */
export async function enqueueDueSelfBackup(db: DbOrTx, now = new Date()): Promise<boolean> {
  const [settings] = await db.select().from(selfBackupSettings).where(eq(selfBackupSettings.id, SETTINGS_ID));
  if (!settings?.enabled || !settings.storageLocationId) return false;
  const slot = latestSlot(settings.schedule, "UTC", now);
  // A slot from before the settings were saved is not owed.
  if (!slot || slot < settings.updatedAt) return false;
  return db.transaction(async (tx) => {
    const [run] = await tx.insert(selfBackupRuns).values({ storageLocationId: settings.storageLocationId, scheduledFor: slot }).onConflictDoNothing().returning({ id: selfBackupRuns.id });
    if (run) await enqueueJob(tx, "self-backup/run", { runId: run.id }, { queueName: "self-backup", maxAttempts: 1 });
    return Boolean(run);
  });
}
