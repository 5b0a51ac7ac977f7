import { createHmac } from "node:crypto";
import type { NotificationMessage } from "@safehold/plugin-api";

export type WebhookFormat = "json" | "slack";

/** The JSON a receiver gets; the Slack format puts title and text into Slack's `text` and keeps the other fields. */
export function webhookBody(message: NotificationMessage, format: WebhookFormat): string {
  const payload = {
    event: message.event,
    title: message.title,
    text: message.text,
    severity: message.severity,
    fields: message.fields,
    url: message.url,
    occurredAt: message.occurredAt,
  };
  return JSON.stringify(format === "slack" ? { ...payload, text: `${message.title}\n${message.text}` } : payload);
}

/** `sha256=<hex>` of the exact bytes sent: receivers recompute it over the raw body before parsing it. */
export function signature(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;
}
