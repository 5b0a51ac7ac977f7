/**
 * The phase a failed backup's progress is left at when its storage failed (opening the location, writing an
 * artifact or the manifest, reading it back to verify), so the dashboard can tell a storage problem from a
 * source one without parsing provider messages. Any other failure leaves the phase `failed`.
 */
export const STORAGE_FAILED_PHASE = "failed while storing";
export const FAILED_PHASE = "failed";

/** An error of the storage side of a backup; its message is the storage's own, unchanged. */
export class StorageFailure extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = "StorageFailure";
  }
}

/** Runs storage work, marking what it throws as a storage failure. */
export async function onStorage<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw err instanceof StorageFailure ? err : new StorageFailure(err);
  }
}
