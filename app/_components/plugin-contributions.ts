"use client";

import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { configSummary } from "@/shared/config-summary";
import type { ConfigSchema, ContributionKind, PluginConfig } from "@/server/plugins/contracts";
import { useTRPC } from "@/app/_lib/trpc";

type ArtifactDeclarations = { database: { title: string; description?: string }; filestore?: { title: string; description?: string } };

/** What the console calls an artifact kind when its source does not say (a source's uninstalled, or it predates declarations). */
const ARTIFACT_FALLBACK: Record<string, string> = { database: "Database dump", filestore: "Files archive", manifest: "Manifest" };

export type Contribution = { id: string; title: string; description: string | null; pluginId: string; capabilities: string[]; configSchema: ConfigSchema; summary: string | null; programs: string[]; artifacts: ArtifactDeclarations | null; exports: ExportFormat[]; imports: ImportFormat[] };

/** A format a source's backups can be downloaded in besides their stored files, e.g. Odoo's own zip. */
export type ExportFormat = { id: string; title: string; description?: string; extension: string; contentType: string };

/** A file a source imports as a backup, e.g. an Odoo zip, with the name endings it accepts. */
export type ImportFormat = { id: string; title: string; description?: string; extensions: string[] };

const lastChosenKey = (kind: ContributionKind) => `safehold:last-${kind}`;

/** The contribution of `kind` an operator last picked in a form, so the next form starts with it. */
export function rememberChoice(kind: ContributionKind, id: string): void {
  window.localStorage.setItem(lastChosenKey(kind), id);
}

function lastChosen(kind: ContributionKind): string | null {
  return typeof window === "undefined" ? null : window.localStorage.getItem(lastChosenKey(kind));
}

/** The installed contributions of one kind (server kinds, sources, storage providers) that forms can offer. */
export function useContributions(kind: ContributionKind) {
  const trpc = useTRPC();
  const query = useQuery(trpc.plugins.contributions.queryOptions({ kind }));
  return useMemo(() => {
    const items: Contribution[] = (query.data ?? []).map((c) => ({ ...c, configSchema: c.configSchema as ConfigSchema }));
    return {
      items,
      isLoading: query.isLoading,
      find: (id: string) => items.find((c) => c.id === id),
      /** Whether the contribution declares an optional ability, e.g. a source's `restore` or `discover`. */
      can: (id: string, capability: string) => Boolean(items.find((c) => c.id === id)?.capabilities.includes(capability)),
      // A contribution whose plugin was removed or broke still has a readable name: its id.
      title: (id: string) => items.find((c) => c.id === id)?.title ?? id,
      /** How the backups of source `id` name an artifact kind (`database`, `filestore`, `manifest`). */
      artifactTitle: (id: string, kind: string) => {
        const declared = items.find((c) => c.id === id)?.artifacts;
        return (kind === "database" || kind === "filestore" ? declared?.[kind]?.title : undefined) ?? ARTIFACT_FALLBACK[kind] ?? kind;
      },
      /** The export formats source `id` declares (none when it declares no `export` capability). */
      exportFormats: (id: string): ExportFormat[] => {
        const source = items.find((c) => c.id === id);
        return source?.capabilities.includes("export") ? source.exports : [];
      },
      /** The files source `id` imports (none when it declares no `import` capability). */
      importFormats: (id: string): ImportFormat[] => {
        const source = items.find((c) => c.id === id);
        return source?.capabilities.includes("import") ? source.imports : [];
      },
      /** One line saying where a configuration of contribution `id` points (its `summary` template filled in). */
      summary: (id: string, config: PluginConfig) => configSummary(items.find((c) => c.id === id), config),
      /** What a new form starts with: the one last chosen in this browser while it is installed, else the first one. */
      defaultId: () => {
        const last = lastChosen(kind);
        return last && items.some((c) => c.id === last) ? last : (items[0]?.id ?? "");
      },
    };
  }, [kind, query.data, query.isLoading]);
}
