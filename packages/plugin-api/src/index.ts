/**
 * The Safehold plugin API (`@safehold/plugin-api`), semver'd: the package version is the API version, and a
 * plugin's manifest declares the range it supports in `engines.safehold`.
 *
 * A plugin is a folder whose package.json is its manifest (see docs/plugins.md). Its `main` module exports
 * `activate(context)`, which returns the implementations of the contributions the manifest declares, keyed by
 * contribution id, and optionally `deactivate()`.
 */
import type { PluginContext } from "./context.js";
import type { NotifierContribution } from "./notifier.js";
import type { ServerKindContribution } from "./server-kind.js";
import type { SourceContribution } from "./source.js";
import type { StorageProviderContribution } from "./storage.js";

export * from "./context.js";
export * from "./errors.js";
export * from "./manifest.js";
export * from "./notifier.js";
export * from "./server-kind.js";
export * from "./source.js";
export * from "./storage.js";

export interface PluginActivation {
  sources?: Record<string, SourceContribution>;
  storageProviders?: Record<string, StorageProviderContribution>;
  serverKinds?: Record<string, ServerKindContribution>;
  notifiers?: Record<string, NotifierContribution>;
}

export interface PluginModule {
  activate(context: PluginContext): PluginActivation | Promise<PluginActivation>;
  /** Called once when the console shuts down, before `context.subscriptions` are disposed. */
  deactivate?(): void | Promise<void>;
}
