import type { JobHelpers, Task } from "graphile-worker";
import { taskPayloads, type TaskPayloads } from "./tasks/payloads";

/**
 * A task whose payload is validated first against its schema in `tasks/payloads.ts`. A payload that does not
 * match is logged and the job completes: retrying cannot fix it. Errors thrown by `run` make graphile-worker
 * retry with backoff (up to the job's max attempts).
 */
export function defineTask<T extends keyof TaskPayloads>(task: T, run: (payload: TaskPayloads[T], helpers: JobHelpers) => Promise<void>): Task {
  return async (payload, helpers) => {
    const parsed = taskPayloads[task].safeParse(payload);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "payload"}: ${i.message}`).join("; ");
      helpers.logger.error(`Job ${helpers.job.id} (${task}) has an invalid payload, not retrying: ${problems}`);
      return;
    }
    await run(parsed.data as TaskPayloads[T], helpers);
  };
}
