import { spawn, type ChildProcess } from "node:child_process";
import { READY_MESSAGE } from "./shutdown";

/**
 * `safehold start` runs the web console and the worker as two child processes, so each process loads the
 * server code once: the web process through Next's build, the worker through tsx. Two copies in one process
 * disagreed on class identity and on singletons (the plugin host, the database pool).
 */
export type ChildRole = "web" | "worker";

export type Supervisor = {
  /** Resolves once every child said it is ready; rejects when one exits before that. */
  ready: Promise<void>;
  /** Stops every child (SIGTERM, then SIGKILL after a grace period) and resolves when they have exited. */
  stop: () => Promise<void>;
};

type Options = { cli: string; env: NodeJS.ProcessEnv; log: (line: string) => void };

const STOP_GRACE_MS = 30_000;
const MAX_RESTART_DELAY_MS = 30_000;
/** A child that ran this long before exiting is restarted without delay growth: it was not crash-looping. */
const STABLE_AFTER_MS = 60_000;

export function supervise(roles: ChildRole[], options: Options): Supervisor {
  let stopping = false;
  const running = new Map<ChildRole, ChildProcess>();

  const spawnChild = (role: ChildRole): { child: ChildProcess; ready: Promise<void> } => {
    // Its own process group: a terminal's Ctrl-C reaches only the supervisor, which stops the children in order.
    const child = spawn(process.execPath, [options.cli, role], { env: options.env, stdio: ["ignore", "inherit", "inherit", "ipc"], detached: true });
    running.set(role, child);
    const ready = new Promise<void>((resolve, reject) => {
      child.on("message", (message) => {
        if (message === READY_MESSAGE) resolve();
      });
      child.once("exit", (code, signal) => reject(new Error(`The ${role} process exited (${signal ?? `code ${code}`}) before it was ready; its output is above`)));
    });
    return { child, ready };
  };

  const keep = (role: ChildRole, child: ChildProcess, restarts: number) => {
    const startedAt = Date.now();
    child.once("exit", (code, signal) => {
      running.delete(role);
      if (stopping) return;
      const attempt = Date.now() - startedAt > STABLE_AFTER_MS ? 0 : restarts;
      const delay = Math.min(1000 * 2 ** attempt, MAX_RESTART_DELAY_MS);
      options.log(`The ${role} process stopped unexpectedly (${signal ?? `code ${code}`}); restarting it in ${delay / 1000} s`);
      setTimeout(() => {
        if (stopping) return;
        const next = spawnChild(role);
        next.ready.then(
          () => options.log(`The ${role} process is running again`),
          () => {},
        );
        keep(role, next.child, attempt + 1);
      }, delay).unref();
    });
  };

  const first = roles.map((role) => ({ role, ...spawnChild(role) }));
  const ready = Promise.all(first.map((c) => c.ready)).then(() => {
    for (const { role, child } of first) keep(role, child, 0);
  });
  ready.catch(() => {});

  const stop = async () => {
    stopping = true;
    await Promise.all(
      [...running.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const force = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
            child.once("exit", () => {
              clearTimeout(force);
              resolve();
            });
            child.kill("SIGTERM");
          }),
      ),
    );
  };
  return { ready, stop };
}
