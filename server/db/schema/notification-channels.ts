import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, sealedText, updatedAt } from "@/server/db/columns";
import { organizationId } from "./organizations";

/** Where notifications go: one configured notifier contribution (e.g. `email`, `webhook`) of an organization. */
export const notificationChannels = pgTable(
  "notification_channels",
  {
    id: id(),
    orgId: organizationId(),
    name: text().notNull(),
    /** A notifier contribution id, e.g. `email` or `webhook`. */
    notifier: text().notNull(),
    config: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    secrets: sealedText().notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("notification_channels_org_name_idx").on(t.orgId, t.name)],
);

/** Every notification sent or attempted: the log an operator reads when one did not arrive. */
export const notificationDeliveries = pgTable(
  "notification_deliveries",
  {
    id: id(),
    orgId: organizationId(),
    channelId: uuid()
      .notNull()
      .references(() => notificationChannels.id, { onDelete: "cascade" }),
    /** e.g. `backup.completed`, `backup.failed`, `restore.completed`, `restore.failed`, `test`. */
    event: text().notNull(),
    subjectId: uuid(),
    title: text().notNull(),
    /** pending → sent, or failed once every attempt has failed. */
    status: text().$type<"pending" | "sent" | "failed">().notNull().default("pending"),
    attempts: integer().notNull().default(0),
    error: text(),
    sentAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index("notification_deliveries_org_created_idx").on(t.orgId, t.createdAt.desc()), index("notification_deliveries_channel_created_idx").on(t.channelId, t.createdAt.desc())],
);
