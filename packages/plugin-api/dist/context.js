/**
 * What every plugin call shares: configuration values, the result of "Test connection", the levelled logger,
 * disposables and the per-plugin context `activate` receives.
 */
/** Builds a {@link PluginLogger} over one sink (hosts, the testkit and plugin tests use it). */
export function createLogger(write) {
    const logger = ((message) => write("info", message));
    logger.debug = (message) => write("debug", message);
    logger.info = (message) => write("info", message);
    logger.warn = (message) => write("warn", message);
    logger.error = (message) => write("error", message);
    return logger;
}
/** A logger that drops everything. */
export const silentLogger = createLogger(() => { });
//# sourceMappingURL=context.js.map