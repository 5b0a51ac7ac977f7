import { z } from "zod";
import type { ContributionKind } from "@/server/plugins/contracts";
import type { PluginHost } from "@/server/plugins/host";
import { CONTRIBUTION_KINDS } from "@/server/plugins/manifest";

const KIND_NAMES: Record<ContributionKind, "source" | "storageProvider" | "serverKind" | "notifier"> = {
  sources: "source",
  storageProviders: "storageProvider",
  serverKinds: "serverKind",
  notifiers: "notifier",
};

export const contributionItem = z.object({
  kind: z.enum(["source", "storageProvider", "serverKind", "notifier"]),
  id: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  capabilities: z.array(z.string()),
  configSchema: z.record(z.string(), z.unknown()),
  summary: z.string().nullable(),
  programs: z.array(z.string()),
  artifacts: z.object({ database: z.object({ title: z.string(), description: z.string().optional() }), filestore: z.object({ title: z.string(), description: z.string().optional() }).optional() }).nullable(),
  /** Sources: the formats their backups can be downloaded in besides the stored files (`format` of a download link). */
  exports: z.array(z.object({ id: z.string(), title: z.string(), description: z.string().optional(), extension: z.string(), contentType: z.string() })),
  /** Sources: the files an operator can import as backups, with the endings each accepts. */
  imports: z.array(z.object({ id: z.string(), title: z.string(), description: z.string().optional(), extensions: z.array(z.string()) })),
});

export const pluginItem = z.object({
  id: z.string(),
  version: z.string().nullable(),
  displayName: z.string().nullable(),
  description: z.string().nullable(),
  status: z.enum(["inactive", "active", "error"]),
  error: z.string().nullable(),
  engine: z.string().nullable(),
  activationEvents: z.array(z.string()),
  contributions: z.array(contributionItem),
});

export function listPlugins(plugins: PluginHost) {
  return plugins.plugins.map((p) => ({
    id: p.id,
    version: p.version,
    displayName: p.displayName,
    description: p.description,
    status: p.status,
    error: p.error,
    engine: p.manifest?.engines.safehold ?? null,
    activationEvents: p.manifest?.activationEvents ?? [],
    contributions: CONTRIBUTION_KINDS.flatMap((kind) =>
      (p.manifest?.contributes[kind] ?? []).map((c) => ({
        kind: KIND_NAMES[kind],
        id: c.id,
        title: c.title,
        description: c.description ?? null,
        capabilities: c.capabilities ?? [],
        configSchema: c.configSchema as Record<string, unknown>,
        summary: c.summary ?? null,
        programs: c.programs ?? [],
        artifacts: c.artifacts ?? null,
        exports: c.exports ?? [],
        imports: c.imports ?? [],
      })),
    ),
  }));
}

/** The contributions of one kind that can be chosen in forms (their plugin is not in error). */
export function listContributions(plugins: PluginHost, kind: ContributionKind) {
  return plugins.contributions(kind).map((c) => ({
    id: c.id,
    title: c.title,
    description: c.description ?? null,
    capabilities: c.capabilities ?? [],
    pluginId: c.pluginId,
    configSchema: c.configSchema as Record<string, unknown>,
    summary: c.summary ?? null,
    programs: c.programs ?? [],
    artifacts: c.artifacts ?? null,
    exports: c.exports ?? [],
    imports: c.imports ?? [],
  }));
}
