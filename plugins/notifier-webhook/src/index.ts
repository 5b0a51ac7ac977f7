import type { PluginActivation } from "@safehold/plugin-api";
import { webhookNotifier } from "./webhook-notifier";

export function activate(): PluginActivation {
  return { notifiers: { webhook: webhookNotifier } };
}
