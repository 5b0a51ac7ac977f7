import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Disposable, PluginActivation, PluginContext, PluginModule } from "@safehold/plugin-api";
import { testContext } from "./helpers.js";

export type ActivatedPlugin = {
  activation: PluginActivation;
  context: PluginContext;
  /** What the console does at shutdown: deactivate(), then the subscriptions, last pushed first. */
  deactivate: () => Promise<void>;
};

/**
 * Loads a built plugin folder the way the console does (its package.json `main`, with a runtime import) and calls
 * `activate` with a test context, without the console's host: what a plugin's own tests use.
 */
export async function activatePlugin(pluginDir: string, apiVersion = "2.0.0"): Promise<ActivatedPlugin> {
  const manifest = JSON.parse(fs.readFileSync(path.join(pluginDir, "package.json"), "utf8")) as { name: string; main: string };
  const mod = (await import(pathToFileURL(path.resolve(pluginDir, manifest.main)).href)) as PluginModule;
  const subscriptions: Disposable[] = [];
  const context: PluginContext = { pluginId: manifest.name, pluginDir: path.resolve(pluginDir), apiVersion, log: testContext().log, subscriptions };
  const activation = await mod.activate(context);
  return {
    activation,
    context,
    deactivate: async () => {
      await mod.deactivate?.();
      for (const subscription of subscriptions.splice(0).reverse()) await subscription.dispose();
    },
  };
}
