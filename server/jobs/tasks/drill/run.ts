import { getDb } from "@/server/db";
import { runDrill } from "@/server/drills/run-drill";
import { defineTask } from "@/server/jobs/define-task";
import { pluginHost } from "@/server/plugins/process-host";

/** One restore drill, in its environment's queue (never alongside a backup or a restore of it). */
export const runDrillTask = defineTask("drill/run", async ({ drillId }, helpers) => {
  // A failed drill's notifications are queued in the transaction that ends it (server/jobs/run-lifecycle.ts).
  await runDrill(getDb(), pluginHost(), drillId, helpers.abortSignal);
});
