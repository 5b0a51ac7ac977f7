import type { JobHelpers, Task } from "graphile-worker";
import type { z } from "zod";

/**
 * A task whose payload is validated first. A payload that does not match is logged and the job completes:
 * retrying cannot fix it. Errors thrown by `run` make graphile-worker retry with backoff.
 */
export function defineTask<S extends z.ZodType>(schema: S, run: (payload: z.infer<S>, helpers: JobHelpers) => Promise<void>): Task {
  return async (payload, helpers) => {
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      helpers.logger.error(`Job ${helpers.job.id} (${helpers.job.task_identifier}) has an invalid payload, not retrying: ${parsed.error.issues.map((i) => `${i.path.join(".") || "payload"}: ${i.message}`).join("; ")}`);
      return;
    }
    await run(parsed.data, helpers);
  };
}
