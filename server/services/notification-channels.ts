import { and, desc, eq, lt, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { backupPolicies, notificationChannels, notificationDeliveries } from "@/server/db/schema";
import { SEALED_COLUMNS } from "@/server/db/sealed-columns";
import { oneLine } from "@/server/jobs/run-failure";
import { sendToChannel } from "@/server/notifications/deliver";
import { testMessage } from "@/server/notifications/messages";
import type { TestResult } from "@/server/plugins/contracts";
import type { PluginHost } from "@/server/plugins/host";
import { addDefaultFailureChannel } from "./backup-policies";
import { configuredResource } from "./configured-resource";
import { decodeCursor, pageInput, pageSchema, toPage } from "./pagination";
import { configRecord } from "./plugin-config";

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
const channelName = z.string().trim().min(1, "Name the channel").max(100);
export const createNotificationChannelInput = z.object({
  name: channelName,
  notifier: z.string().min(1).max(50),
  config: configRecord.default({}),
  /**
   * Also make it hear of failures by default: it joins the default backup policy's channels and failure
   * notifications are turned on there, in the same transaction as the channel's creation.
   */
  defaultForFailures: z.boolean().optional(),
});
export const updateNotificationChannelInput = z.object({
  id: z.uuid(),
  name: channelName.optional(),
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

const resource = configuredResource<"notifier", ChannelRow, object, z.infer<typeof notificationChannelItem>, z.infer<typeof createNotificationChannelInput>, z.infer<typeof updateNotificationChannelInput>>({
  table: notificationChannels,
  noun: "notification channel",
  contribution: "notifiers",
  kindField: "notifier",
  kindLabel: "Notifier",
  secrets: SEALED_COLUMNS.notificationChannelSecrets,
  activity: "notification_channel",
  roles: { read: "viewer", write: "admin", test: "admin", testSettings: "admin" },
  // Policies that name the channel lose it rather than refuse the delete (deliveries go with it: on delete cascade).
  beforeDelete: async (tx, actor, channel) => {
    await tx
      .update(backupPolicies)
      .set({ notificationChannelIds: sql`array_remove(${backupPolicies.notificationChannelIds}, ${channel.id}::uuid)` })
      .where(and(eq(backupPolicies.orgId, actor.orgId), sql`${channel.id}::uuid = any(${backupPolicies.notificationChannelIds})`));
  },
  toItem: (row, config) => ({
    id: row.id,
    name: row.name,
    notifier: row.notifier,
    config,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }),
  create: {},
  update: {},
  test: {
    settingsForbidden: "Testing edited notification settings needs the admin role",
    draftLabel: (notifier) => `new ${notifier} channel`,
    // A real notification, recorded with the deliveries so it shows in the log like any other.
    probe: async ({ db, plugins, actor, stored }) => {
      const channel = stored!;
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
      return result;
    },
  },
});

export const listNotificationChannels = (db: DbOrTx, plugins: PluginHost, actor: Principal, input: z.infer<typeof listNotificationChannelsInput>) => resource.list(db, plugins, actor, input);
export const findNotificationChannel = (db: DbOrTx, actor: Principal, id: string): Promise<ChannelRow> => resource.find(db, actor, id);
/** Adds a channel; with `defaultForFailures`, the default policy sends failures to it (both or neither are saved). */
export async function createNotificationChannel(db: DbOrTx, plugins: PluginHost, actor: Principal, input: z.infer<typeof createNotificationChannelInput>) {
  const { defaultForFailures, ...channel } = input;
  return db.transaction(async (tx) => {
    const item = await resource.create(tx, plugins, actor, channel);
    if (defaultForFailures) await addDefaultFailureChannel(tx, actor, item);
    return item;
  });
}
export const updateNotificationChannel = (db: DbOrTx, plugins: PluginHost, actor: Principal, input: z.infer<typeof updateNotificationChannelInput>) => resource.update(db, plugins, actor, input);
/** Deletes the channel and its deliveries, and takes it out of every policy that named it. */
export const deleteNotificationChannel = (db: DbOrTx, actor: Principal, id: string) => resource.delete(db, actor, id);
/** Sends a test notification now and records it with the deliveries, so it shows in the log like any other. */
export const testNotificationChannel = (db: DbOrTx, plugins: PluginHost, actor: Principal, id: string): Promise<TestResult> => resource.test(db, plugins, actor, { id });

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
