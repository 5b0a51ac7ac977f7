/**
 * What every plugin call shares: configuration values, the result of "Test connection", the levelled logger,
 * disposables and the per-plugin context `activate` receives.
 */

/** A contribution's configuration as the operator saved it (secrets included), shaped by its `configSchema`. */
export type PluginConfig = Record<string, unknown>;

/** What "Test connection" reports. `message` is shown to the operator as is: one clear sentence. */
export type TestResult = { ok: boolean; message: string; details?: Record<string, unknown> };

/** The second argument of every `testConnection`: the console aborts `signal` when the operator gives up or a timeout passes. */
export type TestOptions = { signal: AbortSignal };

export type LogLevel = "debug" | "info" | "warn" | "error";

/**
 * A levelled logger (VS Code's `LogOutputChannel` in small). The context's logger writes to the console's process
 * log; the one a backup or restore call receives writes to that run's log, which operators read.
 * Never log a secret.
 */
export interface PluginLogger {
  /** @deprecated since 2.0.0: the function form of 1.x; it logs at `info`. Call `log.info(...)`. */
  (message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Builds a {@link PluginLogger} over one sink (hosts, the testkit and plugin tests use it). */
export function createLogger(write: (level: LogLevel, message: string) => void): PluginLogger {
  const logger = ((message: string) => write("info", message)) as PluginLogger;
  logger.debug = (message) => write("debug", message);
  logger.info = (message) => write("info", message);
  logger.warn = (message) => write("warn", message);
  logger.error = (message) => write("error", message);
  return logger;
}

/** A logger that drops everything. */
export const silentLogger: PluginLogger = createLogger(() => {});

/** Something to release when the plugin is deactivated: a timer, a pool, a watcher (VS Code's `Disposable`). */
export interface Disposable {
  dispose(): void | Promise<void>;
}

/** What `activate(context)` receives: one per plugin, for the life of the process. */
export interface PluginContext {
  /** The plugin's id (its manifest `name`). */
  readonly pluginId: string;
  /** Absolute path of the plugin's folder. */
  readonly pluginDir: string;
  /** The plugin API version this console provides (semver), e.g. "2.0.0". */
  readonly apiVersion: string;
  /** Writes to the console's process log, prefixed with the plugin id. */
  readonly log: PluginLogger;
  /**
   * Pushed disposables are disposed, last pushed first, after `deactivate()` when the console shuts down. Put
   * here whatever outlives a single call: connection pools, timers, watchers.
   */
  readonly subscriptions: Disposable[];
}

/** What a call into a plugin object receives besides its own arguments. */
export type CallContext = {
  /** Where this call's log lines go (a run's log for backups and restores; the process log otherwise). */
  log: PluginLogger;
};
