import { createLogger, type CallContext, type PluginLogger, type TestOptions } from "@safehold/plugin-api";

/** How long "Test connection" may take before the console aborts it. */
export const TEST_TIMEOUT_MS = 60_000;

/** A logger for plugin calls outside a run: lines go to the process log, tagged with `scope`. */
export function processLogger(scope: string): PluginLogger {
  return createLogger((level, message) => {
    if (level === "debug" && process.env.SAFEHOLD_PLUGIN_DEBUG !== "1") return;
    (level === "error" || level === "warn" ? console.error : console.log)(`[plugins] [${scope}]${level === "info" ? "" : ` ${level}:`} ${message}`);
  });
}

/** The context of a plugin call outside a run. */
export function callContext(scope: string): CallContext {
  return { log: processLogger(scope) };
}

/** The options of every testConnection: aborted after TEST_TIMEOUT_MS. */
export function testOptions(timeoutMs = TEST_TIMEOUT_MS): TestOptions {
  return { signal: AbortSignal.timeout(timeoutMs) };
}
