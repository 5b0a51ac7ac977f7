import { getDb } from "@/server/db";
import { defineTask } from "@/server/jobs/define-task";
import { enqueueDueSelfBackup } from "@/server/services/self-backup";

/** Every minute: queues the console's self-backup when its schedule has a slot not yet run. */
export const selfBackupTickTask = defineTask("self-backup/tick", async () => {
  await enqueueDueSelfBackup(getDb());
});
