import {
  PluginError,
  type ContributionKind,
  type NotifierClient,
  type PluginConfig,
  type ServerConnection,
  type ServerKindContribution,
  type SourceContribution,
  type StagedRestore,
  type StorageClient,
  type TestResult,
} from "@safehold/plugin-api";

/**
 * The shape of every object a plugin hands the console (Strapi-style): the methods it must have, checked when it is
 * created, and the optional ones filled in from a base so callers never probe with `?.`.
 */
export type ObjectKind = "source" | "storageProvider" | "serverKind" | "notifier" | "storageClient" | "notifierClient" | "serverConnection" | "stagedRestore";

type Shape = {
  label: string;
  required: readonly string[];
  /** Filled in when the plugin's object has no such method. */
  defaults: Record<string, (...args: never[]) => unknown>;
  /** Methods whose result is itself a plugin object of that kind (guarded and conformed in turn). */
  factories: Record<string, ObjectKind>;
};

const noop = async (): Promise<void> => {};
const unsupported = (what: string) => async (): Promise<never> => {
  throw PluginError.notSupported(`This plugin does not support ${what}`);
};

export const SHAPES: Record<ObjectKind, Shape> = {
  source: {
    label: "source",
    required: ["testConnection", "backup"],
    defaults: {
      restore: unsupported("restores"),
      discardPreviousCopy: unsupported("discarding kept copies"),
      discover: unsupported("discovery"),
      readApplication: async (): Promise<null> => null,
      exportArchive: unsupported("exports in other formats"),
      importArchive: unsupported("imports"),
      destroy: unsupported("destroying an environment's data"),
    },
    factories: { restore: "stagedRestore" },
  },
  storageProvider: { label: "storage provider", required: ["create"], defaults: {}, factories: { create: "storageClient" } },
  serverKind: { label: "server kind", required: ["connect", "testConnection"], defaults: {}, factories: { connect: "serverConnection" } },
  notifier: { label: "notifier", required: ["create"], defaults: {}, factories: { create: "notifierClient" } },
  storageClient: {
    label: "storage client",
    required: ["testConnection", "put", "get", "delete", "list"],
    defaults: { presignGet: unsupported("presigned download links"), close: noop },
    factories: {},
  },
  notifierClient: {
    label: "notifier client",
    required: ["send"],
    defaults: {
      close: noop,
      testConnection: async (): Promise<TestResult> => ({ ok: true, message: "This notifier cannot check its settings without sending: use Send test" }),
    },
    factories: {},
  },
  serverConnection: {
    label: "server connection",
    required: ["exec", "openTcp", "readFile", "writeFile"],
    defaults: { close: noop, canCompress: async () => ({ ok: false, reason: "this server kind does not compress on the server" }) },
    factories: {},
  },
  stagedRestore: {
    label: "staged restore",
    required: ["loadDatabase", "loadFiles", "prepare", "swap", "discard"],
    defaults: { inspect: unsupported("restore drills (inspecting a restored copy)"), compressedInput: async (): Promise<null> => null },
    factories: {},
  },
};

export const CONTRIBUTION_OBJECT: Record<ContributionKind, ObjectKind> = {
  sources: "source",
  storageProviders: "storageProvider",
  serverKinds: "serverKind",
  notifiers: "notifier",
};

/** Required methods of a contribution (the host checks them at activation). */
export const REQUIRED_METHODS: Record<ContributionKind, readonly string[]> = {
  sources: SHAPES.source.required,
  storageProviders: SHAPES.storageProvider.required,
  serverKinds: SHAPES.serverKind.required,
  notifiers: SHAPES.notifier.required,
};

/** The required methods `obj` lacks. */
export function missingMethods(obj: object, kind: ObjectKind, extra: readonly string[] = []): string[] {
  return [...SHAPES[kind].required, ...extra].filter((m) => typeof (obj as Record<string, unknown>)[m] !== "function");
}

/** A storage client as the console holds it: the host filled in `close` and `presignGet`. */
export type HostedStorageClient = Required<StorageClient>;
/** A notifier client as the console holds it: the host filled in `close` and `testConnection`. */
export type HostedNotifierClient = Required<NotifierClient>;
export type HostedStorageProvider = { create(config: PluginConfig): HostedStorageClient };
export type HostedNotifier = { create(config: PluginConfig): HostedNotifierClient };
/** A server connection as the console holds it: the host filled in `close` and `canCompress`. */
export type HostedServerConnection = Required<ServerConnection>;
export type HostedServerKind = Omit<ServerKindContribution, "connect"> & { connect(config: PluginConfig): Promise<HostedServerConnection> };
/** A source as the console holds it: its undeclared optional methods throw NOT_SUPPORTED (`readApplication` answers null). */
export type HostedSource = Required<SourceContribution>;
/** A staged restore as the console holds it: `inspect` throws NOT_SUPPORTED when the plugin has none. */
export type HostedStagedRestore = Required<StagedRestore>;
