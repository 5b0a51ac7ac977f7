import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import semver from "semver";
import apiPackage from "@safehold/plugin-api/package.json" with { type: "json" };
import { NotFoundError, ValidationError } from "@/server/errors";
import { registerHost, registeredHost } from "./host-registry";
import { compileConfigSchema } from "./config-values";
import {
  createLogger,
  type ContributionKind,
  type Disposable,
  type ContributionManifest,
  type PluginActivation,
  type PluginContext,
  type PluginModule,
} from "./contracts";
import { CONTRIBUTION_KINDS, SOURCE_CAPABILITIES, activationEventFor, describeManifestError, manifestSchema, type PluginManifest } from "./manifest";
import { CONTRIBUTION_OBJECT, REQUIRED_METHODS, type HostedNotifier, type HostedServerKind, type HostedSource, type HostedStorageProvider } from "./conform";
import { guard } from "./guard";

/** The plugin API this console provides: the version of the `@safehold/plugin-api` package it is built with. */
export const PLUGIN_API_VERSION: string = apiPackage.version;

/** How long one plugin's deactivate() or one disposable may take at shutdown before the host moves on. */
const DISPOSE_TIMEOUT_MS = 5_000;

export type PluginStatus = "inactive" | "active" | "error";

export type PluginRecord = {
  /** The manifest `name`, or the folder name when the manifest could not be read. */
  id: string;
  dir: string;
  version: string | null;
  displayName: string | null;
  description: string | null;
  manifest: PluginManifest | null;
  status: PluginStatus;
  error: string | null;
};

/** What the console gets for each kind: guarded, with optional methods filled in (see conform.ts). */
type ContributionImpl = {
  sources: HostedSource;
  storageProviders: HostedStorageProvider;
  serverKinds: HostedServerKind;
  notifiers: HostedNotifier;
};

type Entry = { plugin: PluginRecord; contribution: ContributionManifest };

/** What the host keeps of an activated plugin, to deactivate it at shutdown. */
type Loaded = { module: Partial<PluginModule>; context: PluginContext };

const KIND_LABEL: Record<ContributionKind, string> = {
  sources: "source",
  storageProviders: "storage provider",
  serverKinds: "server kind",
  notifiers: "notifier",
};

/**
 * Reads plugin manifests without running plugin code, and activates a plugin the first time one of its
 * contributions is used. A broken plugin is recorded with its error; it never stops the others.
 */
export class PluginHost {
  readonly plugins: PluginRecord[] = [];
  private readonly index = new Map<string, Entry>();
  private readonly activations = new Map<string, Promise<PluginActivation>>();
  private readonly loaded = new Map<string, Loaded>();
  private disposed = false;
  /** The plugin folders, in the order of SAFEHOLD_PLUGINS_DIR. */
  readonly pluginsDirs: readonly string[];

  constructor(
    pluginsDirs: string | readonly string[],
    private readonly log: (line: string) => void = () => {},
  ) {
    this.pluginsDirs = typeof pluginsDirs === "string" ? [pluginsDirs] : [...pluginsDirs];
    this.discover();
  }

  /** One key for a list of folders (the process-wide host is rebuilt when it changes). */
  get key(): string {
    return this.pluginsDirs.join(path.delimiter);
  }

  private discover(): void {
    for (const root of this.pluginsDirs) {
      let dirs: string[] = [];
      try {
        // statSync follows symlinks: a plugin folder may be linked in from elsewhere.
        dirs = fs
          .readdirSync(root)
          .filter((name) => !name.startsWith(".") && fs.statSync(path.join(root, name), { throwIfNoEntry: false })?.isDirectory())
          .sort();
      } catch (err) {
        this.log(`Plugins folder ${root} cannot be read: ${(err as Error).message}`);
      }
      for (const name of dirs) this.plugins.push(this.readPlugin(path.join(root, name), name));
    }
    for (const plugin of this.plugins) {
      if (plugin.status === "error" || !plugin.manifest) continue;
      this.indexContributions(plugin, plugin.manifest);
    }
    for (const plugin of this.plugins) {
      if (plugin.status !== "error" && plugin.manifest?.activationEvents?.includes("*")) {
        this.activate(plugin).catch(() => {});
      }
    }
    const refused = this.plugins.filter((p) => p.status === "error");
    if (refused.length) {
      this.log(`${refused.length} plugin(s) refused: ${refused.map((p) => `${p.id} (${p.dir}): ${p.error}`).join("; ")}`);
    }
  }

  private readPlugin(dir: string, folder: string): PluginRecord {
    const record: PluginRecord = { id: folder, dir, version: null, displayName: null, description: null, manifest: null, status: "inactive", error: null };
    const fail = (error: string) => Object.assign(record, { status: "error" as const, error });
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return fail(code === "ENOENT" ? "package.json (the plugin manifest) is missing" : `package.json is not valid JSON: ${(err as Error).message}`);
    }
    const parsed = manifestSchema.safeParse(raw);
    if (typeof raw === "object" && raw && "name" in raw && typeof raw.name === "string") record.id = raw.name;
    if (!parsed.success) return fail(`Invalid manifest: ${describeManifestError(parsed.error)}`);
    const manifest = parsed.data;
    Object.assign(record, {
      id: manifest.name,
      version: manifest.version,
      displayName: manifest.displayName ?? null,
      description: manifest.description ?? null,
      manifest,
    });
    const twin = this.plugins.find((p) => p.id === manifest.name);
    if (twin) {
      // Which one would be meant? Both are refused until the operator removes one.
      const message = (other: string) => `Another plugin is also named ${manifest.name} (in ${other}): remove one of them`;
      Object.assign(twin, { status: "error", error: message(dir) });
      return fail(message(twin.dir));
    }
    if (!semver.validRange(manifest.engines.safehold)) return fail(`engines.safehold "${manifest.engines.safehold}" is not a version range`);
    if (!semver.satisfies(PLUGIN_API_VERSION, manifest.engines.safehold)) {
      return fail(`Incompatible: requires Safehold plugin API ${manifest.engines.safehold} (engines.safehold), this console provides ${PLUGIN_API_VERSION}`);
    }
    if (!fs.existsSync(path.resolve(dir, manifest.main))) return fail(`main file ${manifest.main} does not exist (was the plugin built?)`);
    for (const kind of CONTRIBUTION_KINDS) {
      for (const contribution of manifest.contributes[kind] ?? []) {
        try {
          compileConfigSchema(contribution.configSchema);
        } catch (err) {
          return fail(`The configSchema of ${KIND_LABEL[kind]} "${contribution.id}" is not valid: ${(err as Error).message}`);
        }
      }
    }
    return record;
  }

  /**
   * An id contributed twice is ambiguous (which code would get a location's secrets?), so both plugins are put
   * in error until the operator removes one.
   */
  private indexContributions(plugin: PluginRecord, manifest: PluginManifest): void {
    for (const kind of CONTRIBUTION_KINDS) {
      for (const contribution of manifest.contributes[kind] ?? []) {
        const key = `${kind}:${contribution.id}`;
        const other = this.index.get(key);
        if (other) {
          const message = `The ${KIND_LABEL[kind]} id "${contribution.id}" is contributed by both ${other.plugin.id} and ${plugin.id}: remove one of them`;
          for (const p of [other.plugin, plugin]) Object.assign(p, { status: "error", error: message });
          continue;
        }
        this.index.set(key, { plugin, contribution });
      }
    }
  }

  /** Every contribution of one kind, from plugins that are not in error. */
  contributions(kind: ContributionKind): Array<ContributionManifest & { pluginId: string }> {
    return [...this.index.entries()]
      .filter(([key]) => key.startsWith(`${kind}:`))
      .filter(([, e]) => e.plugin.status !== "error")
      .map(([, e]) => ({ ...e.contribution, pluginId: e.plugin.id }));
  }

  /** The manifest entry of a contribution; a ValidationError naming the field when there is none. */
  contribution(kind: ContributionKind, id: string, field = "id"): ContributionManifest {
    const entry = this.index.get(`${kind}:${id}`);
    if (!entry || entry.plugin.status === "error") {
      const known = this.contributions(kind).map((c) => c.id);
      const reason = entry?.plugin.error ? ` (plugin ${entry.plugin.id} failed: ${entry.plugin.error})` : "";
      throw new ValidationError(`Unknown ${KIND_LABEL[kind]} "${id}"${reason}. Installed: ${known.join(", ") || "none"}`, {
        [field]: `Unknown ${KIND_LABEL[kind]} "${id}"`,
      });
    }
    return entry.contribution;
  }

  source(id: string): Promise<HostedSource> {
    return this.implementation("sources", id);
  }

  storageProvider(id: string): Promise<HostedStorageProvider> {
    return this.implementation("storageProviders", id);
  }

  serverKind(id: string): Promise<HostedServerKind> {
    return this.implementation("serverKinds", id);
  }

  notifier(id: string): Promise<HostedNotifier> {
    return this.implementation("notifiers", id);
  }

  private async implementation<K extends ContributionKind>(kind: K, id: string): Promise<ContributionImpl[K]> {
    if (this.disposed) throw new ValidationError("The plugin host is shutting down");
    const entry = this.index.get(`${kind}:${id}`);
    if (!entry) throw new NotFoundError(`${KIND_LABEL[kind]} "${id}"`);
    const { plugin } = entry;
    const declared = plugin.manifest?.activationEvents;
    if (declared && !declared.includes("*") && !declared.includes(activationEventFor(kind, id))) {
      this.log(`Plugin ${plugin.id} does not list ${activationEventFor(kind, id)} in activationEvents; activating it anyway`);
    }
    const activation = await this.activate(plugin);
    return activation[kind]![id] as ContributionImpl[K];
  }

  private activate(plugin: PluginRecord): Promise<PluginActivation> {
    let pending = this.activations.get(plugin.id);
    if (!pending) {
      pending = this.load(plugin).then(
        (activation) => {
          plugin.status = "active";
          return activation;
        },
        (err: unknown) => {
          plugin.status = "error";
          plugin.error = err instanceof Error ? err.message : String(err);
          this.log(`Plugin ${plugin.id} failed to activate: ${plugin.error}`);
          throw new ValidationError(`Plugin ${plugin.id} failed to activate: ${plugin.error}`);
        },
      );
      this.activations.set(plugin.id, pending);
    }
    return pending;
  }

  private async load(plugin: PluginRecord): Promise<PluginActivation> {
    if (plugin.status === "error") throw new Error(plugin.error ?? "plugin is in error");
    const manifest = plugin.manifest!;
    const url = pathToFileURL(path.resolve(plugin.dir, manifest.main)).href;
    let mod: Partial<PluginModule>;
    try {
      // Plugins are loaded at run time from disk; the bundler must leave this import alone.
      mod = (await import(/* webpackIgnore: true */ /* turbopackIgnore: true */ url)) as Partial<PluginModule>;
    } catch (err) {
      throw new Error(`Loading ${manifest.main} failed: ${(err as Error).message}`);
    }
    if (typeof mod.activate !== "function") throw new Error(`${manifest.main} does not export an activate function`);
    const context: PluginContext = {
      pluginId: plugin.id,
      pluginDir: plugin.dir,
      apiVersion: PLUGIN_API_VERSION,
      log: createLogger((level, message) => {
        if (level !== "debug" || process.env.SAFEHOLD_PLUGIN_DEBUG === "1") this.log(`[${plugin.id}]${level === "info" ? "" : ` ${level}:`} ${message}`);
      }),
      subscriptions: [],
    };
    // Registered before activate() runs: what it pushed is disposed at shutdown even if it then throws.
    this.loaded.set(plugin.id, { module: mod, context });
    let activation: PluginActivation;
    try {
      activation = await mod.activate(context);
    } catch (err) {
      throw new Error(`activate() threw: ${(err as Error).message}`);
    }
    const guarded: PluginActivation = {};
    for (const kind of CONTRIBUTION_KINDS) {
      for (const { id, capabilities = [] } of manifest.contributes[kind] ?? []) {
        const impl = activation?.[kind]?.[id] as Record<string, unknown> | undefined;
        if (!impl) throw new Error(`activate() returned no implementation for ${KIND_LABEL[kind]} "${id}"`);
        const required = [...REQUIRED_METHODS[kind], ...capabilities.flatMap((c) => SOURCE_CAPABILITIES[c])];
        const missing = required.filter((m) => typeof impl[m] !== "function");
        if (missing.length) throw new Error(`${KIND_LABEL[kind]} "${id}" lacks ${missing.join(", ")}`);
        (guarded[kind] ??= {})[id] = guard(impl, plugin.id, CONTRIBUTION_OBJECT[kind]) as never;
      }
    }
    return guarded;
  }

  /**
   * Shutdown: calls each activated plugin's deactivate(), then disposes its subscriptions, last pushed first. A
   * failing or hanging plugin is logged and skipped after a timeout; the host refuses new work afterwards.
   */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.allSettled([...this.activations.values()]);
    for (const [pluginId, { module, context }] of [...this.loaded].reverse()) {
      const step = async (what: string, run: () => void | Promise<void>) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            Promise.resolve().then(run),
            new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`did not finish within ${DISPOSE_TIMEOUT_MS / 1000} s`)), DISPOSE_TIMEOUT_MS).unref())),
          ]);
        } catch (err) {
          this.log(`Plugin ${pluginId}: ${what} failed: ${(err as Error).message}`);
        } finally {
          clearTimeout(timer);
        }
      };
      const record = this.plugins.find((p) => p.id === pluginId);
      // deactivate() only after a successful activate(); what a failed one pushed is disposed all the same.
      if (record?.status === "active" && typeof module.deactivate === "function") await step("deactivate()", () => module.deactivate!());
      const subscriptions: Disposable[] = context.subscriptions.splice(0).reverse();
      for (const subscription of subscriptions) await step("disposing a subscription", () => subscription.dispose());
      if (record?.status === "active") record.status = "inactive";
    }
    this.loaded.clear();
  }
}

/** The plugin host of this process, over `pluginsDirs` (one per process: see host-registry.ts). */
export function getPluginHost(pluginsDirs: readonly string[], log?: (line: string) => void): PluginHost {
  const current = registeredHost();
  if (current?.key === pluginsDirs.join(path.delimiter)) return current as PluginHost;
  const host = new PluginHost(pluginsDirs, log);
  registerHost(host);
  return host;
}
