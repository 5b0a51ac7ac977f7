import type { FailureKind } from "@/shared/enum-values";

/** A failure whose kind is known where it happens (a storage error, a file that does not match, a missing backup). */
export class RunFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "RunFailure";
  }
}

/** Runs `work`, marking what it throws as a failure of `kind` (a failure that already has a kind keeps it). */
export async function failingAs<T>(kind: FailureKind, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw err instanceof RunFailure ? err : new RunFailure(kind, err instanceof Error ? err.message : String(err), { cause: err });
  }
}

/** The one line a failed run shows: the first line of the error, without a stack. */
export function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return (message.split("\n").find((l) => l.trim()) ?? "Unknown error").trim().slice(0, 500);
}
