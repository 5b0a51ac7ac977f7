/**
 * Typed errors with a stable `code` (VS Code's `FileSystemError` in spirit). The console recognises them by
 * `code` and a registry symbol, never by class identity: every plugin bundles its own copy of this module, so
 * `instanceof PluginError` is false across plugins. Use {@link isPluginError}.
 */
export const PLUGIN_ERROR_CODES = ["NOT_FOUND", "UNAUTHORIZED", "UNAVAILABLE", "PERMANENT", "INVALID_CONFIG", "NOT_SUPPORTED"];
// Symbol.for: one registry per process, shared by every bundled copy of this module.
const PLUGIN_ERROR = Symbol.for("safehold.plugin-error");
export class PluginError extends Error {
    code;
    retryable;
    field;
    /** `message` is shown to operators: one line, naming what failed, never a secret. */
    constructor(code, message, options = {}) {
        super(message, options.cause === undefined ? undefined : { cause: options.cause });
        this.name = "PluginError";
        this.code = code;
        this.retryable = options.retryable ?? code === "UNAVAILABLE";
        if (options.field !== undefined)
            this.field = options.field;
        Object.defineProperty(this, PLUGIN_ERROR, { value: true });
    }
    static notFound(message, options) {
        return new PluginError("NOT_FOUND", message, options);
    }
    static unauthorized(message, options) {
        return new PluginError("UNAUTHORIZED", message, options);
    }
    static unavailable(message, options) {
        return new PluginError("UNAVAILABLE", message, options);
    }
    static permanent(message, options) {
        return new PluginError("PERMANENT", message, options);
    }
    static invalidConfig(message, options) {
        return new PluginError("INVALID_CONFIG", message, options);
    }
    static notSupported(message, options) {
        return new PluginError("NOT_SUPPORTED", message, options);
    }
}
/** Whether `err` is a PluginError from any copy of this module (and of `code`, when given). */
export function isPluginError(err, code) {
    if (typeof err !== "object" || err === null)
        return false;
    const e = err;
    return e[PLUGIN_ERROR] === true && PLUGIN_ERROR_CODES.includes(e.code) && (code === undefined || e.code === code);
}
//# sourceMappingURL=errors.js.map