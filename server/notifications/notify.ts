import { and, eq, inArray, sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import { backups, notificationChannels, notificationDeliveries, restoreDrills, restores } from "@/server/db/schema";
import { enqueueJobs } from "@/server/jobs/enqueue";
import type { NotificationMessage } from "@/server/plugins/contracts";
import { effectivePolicyFor } from "@/server/services/backup-policies";
import { backupMessage, drillMessage, restoreMessage } from "./messages";

/** Rows per insert statement when queueing in bulk. */
const INSERT_CHUNK = 2000;

/** Attempts per delivery; graphile-worker's exponential backoff spaces them (about 3 s, 7 s, 20 s, 55 s). */
export const DELIVERY_ATTEMPTS = 5;

/** Each delivery's job has a key, so a process delivering without a worker can take the job over (see deliver-without-worker.ts). */
export function deliveryJobKey(deliveryId: string): string {
  return `notify:${deliveryId}`;
}

type Subject = { id: string; orgId: string; environmentId: string | null; message: NotificationMessage | null };

/**
 * Queues one delivery per channel of the environment's effective policy, if the policy asks to be told of this
 * outcome. Runs once per subject: a second call (a job run twice) finds the deliveries already queued.
 * Returns how many deliveries were queued.
 */
async function queueDeliveries(db: DbOrTx, subject: Subject): Promise<number> {
  const { message } = subject;
  if (!message || !subject.environmentId) return 0;
  const policy = await effectivePolicyFor(db, subject.orgId, subject.environmentId);
  const wanted = message.severity === "failure" ? policy.notifyOnFailure : policy.notifyOnSuccess;
  if (!wanted || policy.notificationChannelIds.length === 0) return 0;
  return db.transaction(async (tx) => {
    // Serializes concurrent calls for one subject, so the check below cannot race.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`notify:${subject.id}`}))`);
    const [already] = await tx.select({ id: notificationDeliveries.id }).from(notificationDeliveries).where(and(eq(notificationDeliveries.subjectId, subject.id), eq(notificationDeliveries.event, message.event))).limit(1);
    if (already) return 0;
    const channels = await tx
      .select({ id: notificationChannels.id })
      .from(notificationChannels)
      .where(and(eq(notificationChannels.orgId, subject.orgId), inArray(notificationChannels.id, policy.notificationChannelIds)));
    if (channels.length === 0) return 0;
    const rows = await tx
      .insert(notificationDeliveries)
      .values(channels.map((c) => ({ orgId: subject.orgId, channelId: c.id, event: message.event, subjectId: subject.id, title: message.title })))
      .returning({ id: notificationDeliveries.id });
    await enqueueJobs(tx, "notify/send", rows.map((row) => ({ payload: { deliveryId: row.id }, jobKey: deliveryJobKey(row.id), maxAttempts: DELIVERY_ATTEMPTS })));
    return rows.length;
  });
}

/** Tells the environment's channels that a backup completed or failed; a backup in any other state is ignored. */
export async function notifyBackupFinished(db: DbOrTx, backupId: string): Promise<number> {
  const [backup] = await db.select({ orgId: backups.orgId, environmentId: backups.environmentId, status: backups.status }).from(backups).where(eq(backups.id, backupId));
  if (!backup || (backup.status !== "completed" && backup.status !== "failed")) return 0;
  return queueDeliveries(db, { id: backupId, orgId: backup.orgId, environmentId: backup.environmentId, message: await backupMessage(db, backupId) });
}

/** Tells the target environment's channels that a restore completed or failed, following the same two policy flags. */
export async function notifyRestoreFinished(db: DbOrTx, restoreId: string): Promise<number> {
  const [restore] = await db.select({ orgId: restores.orgId, environmentId: restores.targetEnvironmentId, status: restores.status }).from(restores).where(eq(restores.id, restoreId));
  if (!restore || (restore.status !== "completed" && restore.status !== "failed")) return 0;
  return queueDeliveries(db, { id: restoreId, orgId: restore.orgId, environmentId: restore.environmentId, message: await restoreMessage(db, restoreId) });
}

/** Tells the environment's channels that a restore drill failed (as for a failed backup, when the policy asks); a passed drill is not announced. */
export async function notifyDrillFinished(db: DbOrTx, drillId: string): Promise<number> {
  const [drill] = await db.select({ orgId: restoreDrills.orgId, environmentId: restoreDrills.environmentId, status: restoreDrills.status }).from(restoreDrills).where(eq(restoreDrills.id, drillId));
  if (!drill || drill.status !== "failed") return 0;
  return queueDeliveries(db, { id: drillId, orgId: drill.orgId, environmentId: drill.environmentId, message: await drillMessage(db, drillId) });
}

export type OverdueNotice = { alertId: string; orgId: string; title: string; notifyOnFailure: boolean; channelIds: readonly string[] };

/**
 * Queues the deliveries of freshly recorded overdue alerts, in bulk (a fleet can go overdue at once when its
 * worker stops): one delivery per channel of each environment's effective policy when it asks to hear of
 * failures. Called in the transaction that inserted the alerts, so no other process queues them too.
 */
export async function queueOverdueDeliveries(tx: DbOrTx, notices: OverdueNotice[]): Promise<number> {
  const wanted = notices.filter((n) => n.notifyOnFailure && n.channelIds.length > 0);
  if (wanted.length === 0) return 0;
  const channels = await tx
    .select({ id: notificationChannels.id, orgId: notificationChannels.orgId })
    .from(notificationChannels)
    .where(inArray(notificationChannels.id, [...new Set(wanted.flatMap((n) => n.channelIds))]));
  const inOrg = new Set(channels.map((c) => `${c.orgId}:${c.id}`));
  const values = wanted.flatMap((n) =>
    n.channelIds.filter((channelId) => inOrg.has(`${n.orgId}:${channelId}`)).map((channelId) => ({ orgId: n.orgId, channelId, event: "backup.overdue", subjectId: n.alertId, title: n.title })),
  );
  let queued = 0;
  for (let i = 0; i < values.length; i += INSERT_CHUNK) {
    const rows = await tx.insert(notificationDeliveries).values(values.slice(i, i + INSERT_CHUNK)).returning({ id: notificationDeliveries.id });
    await enqueueJobs(tx, "notify/send", rows.map((row) => ({ payload: { deliveryId: row.id }, jobKey: deliveryJobKey(row.id), maxAttempts: DELIVERY_ATTEMPTS })));
    queued += rows.length;
  }
  return queued;
}
