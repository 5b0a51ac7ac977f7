/** Runs `stop` on SIGINT/SIGTERM, then exits; a second signal exits at once. */
export function onShutdown(stop: (signal: string) => Promise<void>): void {
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(1);
      stopping = true;
      stop(signal).then(
        () => process.exit(0),
        (err: unknown) => {
          console.error("Shutdown failed:", err);
          process.exit(1);
        },
      );
    });
  }
}

/**
 * What a long-running command awaits: it never resolves (onShutdown ends the process once everything is
 * stopped), and rejects if the worker dies on its own.
 */
export function runUntilShutdown(worker: { promise: Promise<void> }): Promise<never> {
  return new Promise<never>((_, reject) => {
    worker.promise.catch(reject);
  });
}
