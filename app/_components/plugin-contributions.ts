"use client";

import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import type { ConfigSchema, ContributionKind } from "@/server/plugins/contracts";
import { useTRPC } from "@/app/_lib/trpc";

export type Contribution = { id: string; title: string; description: string | null; pluginId: string; capabilities: string[]; configSchema: ConfigSchema };

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
      /** What a new form starts with: `preferred` when it is installed, else the first one. */
      defaultId: (preferred: string) => (items.some((c) => c.id === preferred) ? preferred : (items[0]?.id ?? "")),
    };
  }, [query.data, query.isLoading]);
}
