export * from "./context.js";
export * from "./errors.js";
export * from "./manifest.js";
export * from "./notifier.js";
export * from "./server-kind.js";
export * from "./source.js";
export * from "./storage.js";
//# sourceMappingURL=index.js.map