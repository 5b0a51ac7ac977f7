import { z } from "zod";
import { importFrom } from "@/server/imports/import-source";

/** Every task's payload schema, declared once; tasks validate with it and enqueueJob is typed by it. */
export const taskPayloads = {
  "backup/run": z.object({ backupId: z.uuid() }),
  "import/run": z.object({ backupId: z.uuid(), from: importFrom }),
  "backup/copy": z.object({ copyId: z.uuid() }),
  "backup/schedule-tick": z.object({}).loose(),
  "backup/overdue-check": z.object({}).loose(),
  "backup/retention": z.object({}).loose(),
  "restore/run": z.object({ restoreId: z.uuid() }),
  "drill/run": z.object({ drillId: z.uuid() }),
  "environment/destroy": z.object({ destructionId: z.uuid() }),
  "notify/send": z.object({ deliveryId: z.uuid() }),
  "maintenance/reap-stale-runs": z.object({}).loose(),
  "maintenance/prune-login-attempts": z.object({}).loose(),
  "self-backup/run": z.object({ runId: z.uuid() }),
  "self-backup/tick": z.object({}).loose(),
  "filestore/sweep": z.object({ storageLocationId: z.uuid() }),
  "filestore/sweep-daily": z.object({}).loose(),
};

export type TaskPayloads = { [K in keyof typeof taskPayloads]: z.infer<(typeof taskPayloads)[K]> };
