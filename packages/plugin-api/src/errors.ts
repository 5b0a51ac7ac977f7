/**
 * Typed errors with a stable `code` (VS Code's `FileSystemError` in spirit). The console recognises them by
 * `code` and a registry symbol, never by class identity: every plugin bundles its own copy of this module, so
 * `instanceof PluginError` is false across plugins. Use {@link isPluginError}.
 */

export type PluginErrorCode =
  /** The thing asked for does not exist (an object key, a file, a database). */
  | "NOT_FOUND"
  /** Credentials were refused or lack a permission. Not retryable: someone has to fix the settings. */
  | "UNAUTHORIZED"
  /** The server could not be reached or answered "try later" (timeouts, 5xx, throttling). Retryable. */
  | "UNAVAILABLE"
  /** Any other failure that retrying will not fix (corrupt data, a refused operation). */
  | "PERMANENT"
  /** The configuration is wrong in a way the operator can fix; `field` names the setting when known. */
  | "INVALID_CONFIG"
  /** The plugin does not implement this optional operation (e.g. presigned links). */
  | "NOT_SUPPORTED";

export const PLUGIN_ERROR_CODES: readonly PluginErrorCode[] = ["NOT_FOUND", "UNAUTHORIZED", "UNAVAILABLE", "PERMANENT", "INVALID_CONFIG", "NOT_SUPPORTED"];

// Symbol.for: one registry per process, shared by every bundled copy of this module.
const PLUGIN_ERROR = Symbol.for("safehold.plugin-error");

export type PluginErrorOptions = {
  /** Overrides the code's default (only UNAVAILABLE is retryable by default). */
  retryable?: boolean;
  /** The setting at fault, for INVALID_CONFIG (a `configSchema` property name). */
  field?: string;
  cause?: unknown;
};

/** The shape the console relies on; any error with these fields is treated the same, whichever copy made it. */
export interface PluginErrorLike extends Error {
  readonly code: PluginErrorCode;
  readonly retryable: boolean;
  readonly field?: string;
}

export class PluginError extends Error implements PluginErrorLike {
  readonly code: PluginErrorCode;
  readonly retryable: boolean;
  readonly field?: string;

  /** `message` is shown to operators: one line, naming what failed, never a secret. */
  constructor(code: PluginErrorCode, message: string, options: PluginErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "PluginError";
    this.code = code;
    this.retryable = options.retryable ?? code === "UNAVAILABLE";
    if (options.field !== undefined) this.field = options.field;
    Object.defineProperty(this, PLUGIN_ERROR, { value: true });
  }

  static notFound(message: string, options?: PluginErrorOptions): PluginError {
    return new PluginError("NOT_FOUND", message, options);
  }

  static unauthorized(message: string, options?: PluginErrorOptions): PluginError {
    return new PluginError("UNAUTHORIZED", message, options);
  }

  static unavailable(message: string, options?: PluginErrorOptions): PluginError {
    return new PluginError("UNAVAILABLE", message, options);
  }

  static permanent(message: string, options?: PluginErrorOptions): PluginError {
    return new PluginError("PERMANENT", message, options);
  }

  static invalidConfig(message: string, options?: PluginErrorOptions): PluginError {
    return new PluginError("INVALID_CONFIG", message, options);
  }

  static notSupported(message: string, options?: PluginErrorOptions): PluginError {
    return new PluginError("NOT_SUPPORTED", message, options);
  }
}

/** Whether `err` is a PluginError from any copy of this module (and of `code`, when given). */
export function isPluginError<C extends PluginErrorCode>(err: unknown, code?: C): err is PluginErrorLike & { code: C } {
  if (typeof err !== "object" || err === null) return false;
  const e = err as Record<PropertyKey, unknown>;
  return e[PLUGIN_ERROR] === true && PLUGIN_ERROR_CODES.includes(e.code as PluginErrorCode) && (code === undefined || e.code === code);
}
