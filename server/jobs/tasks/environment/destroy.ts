import { getDb } from "@/server/db";
import { defineTask } from "@/server/jobs/define-task";
import { runDestruction } from "@/server/lifecycle/run-destruction";
import { pluginHost } from "@/server/plugins/process-host";

/** "Destroy environment", in the environment's queue: final backup, removal of its data, archive. */
export const destroyEnvironmentTask = defineTask("environment/destroy", async ({ destructionId }, helpers) => {
  await runDestruction(getDb(), pluginHost(), destructionId, helpers.abortSignal);
});
