import type { PluginActivation } from "@safehold/plugin-api";
import { emailNotifier } from "./email-notifier";

export function activate(): PluginActivation {
  return { notifiers: { email: emailNotifier } };
}
