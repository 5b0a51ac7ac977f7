import { randomUUID } from "node:crypto";
import { and, asc, desc, eq, gt, lt, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { backupPolicies, notificationChannels, notificationDeliveries } from "@/server/db/schema";
import { SEALED_COLUMNS, sealSecret } from "@/server/db/sealed-columns";
import { oneLine } from "@/server/jobs/run-failure";
import { ConflictError, NotFoundError } from "@/server/errors";
import { sendToChannel } from "@/server/notifications/deliver";
import { testMessage } from "@/server/notifications/messages";
import type { TestResult } from "@/server/plugins/contracts";
import type { PluginHost } from "@/server/plugins/host";
import { recordActivity } from "./activity";
import { decodeCursor, pageInput, pageSchema, toPage } from "./pagination";
import { configRecord, presentConfig, readableSecrets, takeConfig } from "./plugin-config";

export const notificationChannelItem = z.object({
  id: z.string(),
  name: z.string(),
  notifier: z.string(),
  config: configRecord,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const notificationChannelPage = pageSchema(notificationChannelItem);

export const listNotificationChannelsInput = z.object(pageInput);
export const createNotificationChannelInput = z.object({
  name: z.string().trim().min(1, "Name the channel").max(100),
  notifier: z.string().min(1).max(50),
  config: configRecord.default({}),
});
export const updateNotificationChannelInput = z.object({
  id: z.uuid(),
  name: createNotificationChannelInput.shape.name.optional(),
  config: configRecord.optional(),
});

export const notificationDeliveryItem = z.object({
  id: z.string(),
  channelId: z.string(),
  channelName: z.string(),
  event: z.string(),
  subjectId: z.string().nullable(),
  title: z.string(),
  status: z.enum(["pending", "sent", "failed"]),
  attempts: z.number(),
  error: z.string().nullable(),
  sentAt: z.string().nullable(),
  createdAt: z.string(),
});
export const notificationDeliveryPage = pageSchema(notificationDeliveryItem);
export const listNotificationDeliveriesInput = z.object({ ...pageInput, channelId: z.uuid().optional() });

type ChannelRow = typeof notificationChannels.$inferSelect;
const CONFIG_FIELDS = { kindField: "notifier", configField: "config" };
const SECRETS = SEALED_COLUMNS.notificationChannelSecrets;

function toItem(plugins: PluginHost, row: ChannelRow) {
  return {
    id: row.id,
    name: row.name,
    notifier: row.notifier,
    config: presentConfig(plugins, "notifiers", row.notifier, row.config, readableSecrets(SECRETS, row.id, row.secrets)),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function listNotificationChannels(db: DbOrTx, plugins: PluginHost, actor: Principal, input: z.infer<typeof listNotificationChannelsInput>) {
  const filters = [eq(notificationChannels.orgId, actor.orgId)];
  if (input.cursor) {
    const [name, id] = decodeCursor(input.cursor, 2) as [string, string];
    filters.push(or(gt(notificationChannels.name, name), and(eq(notificationChannels.name, name), gt(notificationChannels.id, id)))!);
  }
  const rows = await db
    .select()
    .from(notificationChannels)
    .where(and(...filters))
    .orderBy(asc(notificationChannels.name), asc(notificationChannels.id))
    .limit(input.limit + 1);
  return toPage(rows, input.limit, (r) => toItem(plugins, r), (r) => [r.name, r.id]);
}

export async function findNotificationChannel(db: DbOrTx, actor: Principal, id: string): Promise<ChannelRow> {
  const [row] = await db.select().from(notificationChannels).where(and(eq(notificationChannels.id, id), eq(notificationChannels.orgId, actor.orgId)));
  if (!row) throw new NotFoundError("Notification channel");
  return row;
}

async function assertNameFree(db: DbOrTx, actor: Principal, name: string, exceptId?: string) {
  const [clash] = await db
    .select({ id: notificationChannels.id })
    .from(notificationChannels)
    .where(and(eq(notificationChannels.orgId, actor.orgId), eq(notificationChannels.name, name)));
  if (clash && clash.id !== exceptId) throw new ConflictError(`A notification channel named "${name}" already exists`);
}

export async function createNotificationChannel(db: DbOrTx, plugins: PluginHost, actor: Principal, input: z.infer<typeof createNotificationChannelInput>) {
  const prepared = await takeConfig(plugins, "notifiers", input.notifier, input.config, undefined, CONFIG_FIELDS);
  return db.transaction(async (tx) => {
    await assertNameFree(tx, actor, input.name);
    const id = randomUUID();
    const [row] = await tx
      .insert(notificationChannels)
      .values({ id, orgId: actor.orgId, name: input.name, notifier: input.notifier, config: prepared.config, secrets: sealSecret(SECRETS, id, prepared.secrets) })
      .returning();
    await recordActivity(tx, actor, { action: "notification_channel.create", targetType: "notification_channel", targetId: row!.id, targetLabel: row!.name, message: `Notifier ${input.notifier}` });
    return toItem(plugins, row!);
  });
}

export async function updateNotificationChannel(db: DbOrTx, plugins: PluginHost, actor: Principal, input: z.infer<typeof updateNotificationChannelInput>) {
  return db.transaction(async (tx) => {
    const current = await findNotificationChannel(tx, actor, input.id);
    if (input.name && input.name !== current.name) await assertNameFree(tx, actor, input.name, current.id);
    // Secrets that do not open here (another key, another row's value) are not kept: the edit must type them again.
    const stored = { ...current.config, ...readableSecrets(SECRETS, current.id, current.secrets) };
    const prepared = await takeConfig(plugins, "notifiers", current.notifier, input.config ?? current.config, { config: stored }, CONFIG_FIELDS);
    const [row] = await tx
      .update(notificationChannels)
      .set({ name: input.name ?? current.name, config: prepared.config, secrets: sealSecret(SECRETS, current.id, prepared.secrets) })
      .where(and(eq(notificationChannels.id, current.id), eq(notificationChannels.orgId, actor.orgId)))
      .returning();
    await recordActivity(tx, actor, { action: "notification_channel.update", targetType: "notification_channel", targetId: row!.id, targetLabel: row!.name });
    return toItem(plugins, row!);
  });
}

/** Deletes the channel and its deliveries, and takes it out of every policy that named it. */
export async function deleteNotificationChannel(db: DbOrTx, actor: Principal, id: string) {
  await db.transaction(async (tx) => {
    const current = await findNotificationChannel(tx, actor, id);
    await tx
      .update(backupPolicies)
      .set({ notificationChannelIds: sql`array_remove(${backupPolicies.notificationChannelIds}, ${id}::uuid)` })
      .where(and(eq(backupPolicies.orgId, actor.orgId), sql`${id}::uuid = any(${backupPolicies.notificationChannelIds})`));
    await tx.delete(notificationChannels).where(and(eq(notificationChannels.id, id), eq(notificationChannels.orgId, actor.orgId)));
    await recordActivity(tx, actor, { action: "notification_channel.delete", targetType: "notification_channel", targetId: id, targetLabel: current.name });
  });
}

/** Sends a test notification now and records it with the deliveries, so it shows in the log like any other. */
export async function testNotificationChannel(db: DbOrTx, plugins: PluginHost, actor: Principal, id: string): Promise<TestResult> {
  const channel = await findNotificationChannel(db, actor, id);
  const message = testMessage(channel.name);
  let result: TestResult;
  try {
    await sendToChannel(plugins, channel, message);
    result = { ok: true, message: `Test notification sent through "${channel.name}"` };
  } catch (err) {
    result = { ok: false, message: oneLine(err) };
  }
  await db.insert(notificationDeliveries).values({
    orgId: actor.orgId,
    channelId: channel.id,
    event: "test",
    title: message.title,
    status: result.ok ? "sent" : "failed",
    attempts: 1,
    error: result.ok ? null : result.message,
    sentAt: result.ok ? new Date() : null,
  });
  await recordActivity(db, actor, {
    action: "notification_channel.test",
    targetType: "notification_channel",
    targetId: channel.id,
    targetLabel: channel.name,
    outcome: result.ok ? "success" : "failure",
    message: result.message,
  });
  return result;
}

/** Newest first. The cursor keeps created_at at full (microsecond) precision, so no row is skipped between pages. */
export async function listNotificationDeliveries(db: DbOrTx, actor: Principal, input: z.infer<typeof listNotificationDeliveriesInput>) {
  const filters: SQL[] = [eq(notificationDeliveries.orgId, actor.orgId)];
  if (input.channelId) filters.push(eq(notificationDeliveries.channelId, input.channelId));
  if (input.cursor) {
    const [createdAt, id] = decodeCursor(input.cursor, 2) as [string, string];
    const at = sql`${createdAt}::timestamptz`;
    filters.push(or(lt(notificationDeliveries.createdAt, at), and(eq(notificationDeliveries.createdAt, at), lt(notificationDeliveries.id, id)))!);
  }
  const rows = await db
    .select({ delivery: notificationDeliveries, channelName: notificationChannels.name, cursorAt: sql<string>`${notificationDeliveries.createdAt}::text` })
    .from(notificationDeliveries)
    .innerJoin(notificationChannels, eq(notificationChannels.id, notificationDeliveries.channelId))
    .where(and(...filters))
    .orderBy(desc(notificationDeliveries.createdAt), desc(notificationDeliveries.id))
    .limit(input.limit + 1);
  return toPage(
    rows,
    input.limit,
    ({ delivery: d, channelName }) => ({
      id: d.id,
      channelId: d.channelId,
      channelName,
      event: d.event,
      subjectId: d.subjectId,
      title: d.title,
      status: d.status,
      attempts: d.attempts,
      error: d.error,
      sentAt: d.sentAt?.toISOString() ?? null,
      createdAt: d.createdAt.toISOString(),
    }),
    (r) => [r.cursorAt, r.delivery.id],
  );
}
