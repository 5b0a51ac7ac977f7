import type { CompressionPlan, PluginLogger } from "@safehold/plugin-api";

/** Says in the run's log why a remote server's output is compressed by the console instead (a fallback worth knowing). */
export function logCompression(plan: CompressionPlan, log: PluginLogger): void {
  if (plan.on === "worker" && plan.fallback) log.info(`Compressing on the console, not on the server: ${plan.reason}`);
}
