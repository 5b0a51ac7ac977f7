import { and, eq, sql } from "drizzle-orm";
import { oneLine } from "@/server/jobs/run-failure";
import { retryableOf } from "@/server/errors";
import type { Sealed } from "@/server/crypto/secret-box";
import type { DbOrTx } from "@/server/db";
import { notificationChannels, notificationDeliveries } from "@/server/db/schema";
import type { NotificationMessage, PluginConfig } from "@/server/plugins/contracts";
import type { PluginHost } from "@/server/plugins/host";
import { SEALED_COLUMNS } from "@/server/db/sealed-columns";
import { storedConfig } from "@/server/services/plugin-config";
import { messageForDelivery } from "./messages";

type Channel = { id: string; notifier: string; config: PluginConfig; secrets: Sealed };

/** Sends one message through a channel's notifier; the plugin's error (one line, no secret) is what rejects. */
export async function sendToChannel(plugins: PluginHost, channel: Channel, message: NotificationMessage): Promise<void> {
  const client = (await plugins.notifier(channel.notifier)).create(storedConfig(SEALED_COLUMNS.notificationChannelSecrets, channel.id, channel.config, channel.secrets));
  try {
    await client.send(message);
  } finally {
    await client.close().catch(() => {});
  }
}

export type DeliveryOutcome = { status: "sent" } | { status: "retry" | "failed"; error: string } | { status: "gone" };

/**
 * One attempt at a pending delivery. `attempt` counts from 1; on the last one a failure is final. A delivery that
 * was already settled, or whose channel was deleted, is left alone ("gone").
 */
export async function deliverNotification(db: DbOrTx, plugins: PluginHost, deliveryId: string, attempt: { number: number; max: number }): Promise<DeliveryOutcome> {
  const [row] = await db
    .select({ delivery: notificationDeliveries, channel: notificationChannels })
    .from(notificationDeliveries)
    .innerJoin(notificationChannels, eq(notificationChannels.id, notificationDeliveries.channelId))
    .where(and(eq(notificationDeliveries.id, deliveryId), eq(notificationDeliveries.status, "pending")));
  if (!row) return { status: "gone" };
  const settle = (values: Partial<typeof notificationDeliveries.$inferInsert>) =>
    db
      .update(notificationDeliveries)
      .set({ attempts: sql`${notificationDeliveries.attempts} + 1`, ...values })
      .where(eq(notificationDeliveries.id, deliveryId));
  try {
    await sendToChannel(plugins, row.channel, await messageForDelivery(db, row.delivery, row.channel.name));
  } catch (err) {
    const error = oneLine(err);
    // The notifier said retrying cannot help (refused credentials, a rejected address): fail now.
    const last = attempt.number >= attempt.max || retryableOf(err) === false;
    await settle({ error, ...(last ? { status: "failed" as const } : {}) });
    return { status: last ? "failed" : "retry", error };
  }
  await settle({ status: "sent", sentAt: new Date(), error: null });
  return { status: "sent" };
}
