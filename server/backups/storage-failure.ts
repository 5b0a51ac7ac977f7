import { RunFailure } from "@/server/jobs/run-failure";

/** An error of the storage side of a backup; its message is the storage's own, unchanged. */
export function storageFailure(cause: unknown): RunFailure {
  return cause instanceof RunFailure ? cause : new RunFailure("storage", cause instanceof Error ? cause.message : String(cause), { cause });
}
