/** What a supervised child sends its supervisor once it serves (see supervisor.ts). */
export const READY_MESSAGE = "safehold:ready";

/** Whether this process runs under `safehold start`, which talks to it over an IPC channel. */
export function isSupervised(): boolean {
  return typeof process.send === "function";
}

/** Tells the supervisor, if any, that this process is ready. */
export function reportReady(): void {
  process.send?.(READY_MESSAGE);
}

/**
 * Runs `stop` on SIGINT/SIGTERM, or when the supervisor goes away (its IPC channel closes), then exits; a second
 * signal exits at once.
 */
export function onShutdown(stop: (signal: string) => Promise<void>): void {
  let stopping = false;
  const shutDown = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    stop(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        console.error("Shutdown failed:", err);
        process.exit(1);
      },
    );
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => shutDown(signal));
  if (isSupervised()) process.once("disconnect", () => shutDown("supervisor gone"));
}

/**
 * What a long-running command awaits: it never resolves (onShutdown ends the process once everything is
 * stopped), and rejects if the worker dies on its own.
 */
export function runUntilShutdown(worker?: { promise: Promise<void> }): Promise<never> {
  return new Promise<never>((_, reject) => {
    worker?.promise.catch(reject);
  });
}
