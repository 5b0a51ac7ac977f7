"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { useState } from "react";
import { errorInfo } from "@/app/_lib/errors";
import { useTRPC } from "@/app/_lib/trpc";
import type { AppRouter } from "@/server/api/root";
import type { Stage } from "@/shared/enum-values";

type DiscoverInput = inferRouterInputs<AppRouter>["environments"]["discover"];
export type DiscoveredDatabase = inferRouterOutputs<AppRouter>["environments"]["discover"][number];

/** What the operator chose for one found database. */
export type RowDraft = { selected: boolean; name: string; stage: Stage };
export type RowResult = { state: "creating" } | { state: "created"; environmentId: string } | { state: "failed"; message: string; fields: Record<string, string> };

export function defaultDraft(database: DiscoveredDatabase): RowDraft {
  return { selected: false, name: database.name, stage: "production" };
}

/** A found database can be imported unless an environment uses it already or it was just created. */
export function importable(database: DiscoveredDatabase, result: RowResult | undefined): boolean {
  return !database.existingEnvironment && result?.state !== "created";
}

/**
 * The errors of failed rows about the connection settings every row shares (say, a data folder the server does
 * not allow), keyed `sourceConfig.<field>`: the dialog shows them once, at those settings. `ownFields` are the
 * settings each row has of its own (the database).
 */
export function sharedSettingErrors(results: Record<string, RowResult>, ownFields: string[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const result of Object.values(results)) {
    if (result.state !== "failed") continue;
    for (const [key, message] of Object.entries(result.fields)) {
      if (key.startsWith("sourceConfig.") && !ownFields.includes(key.slice("sourceConfig.".length))) errors[key] ??= message;
    }
  }
  return errors;
}

/**
 * What a failed row says under its name: its own problem, or, when only the shared settings are at fault
 * (`shared`), where to look.
 */
export function rowFailure(result: Extract<RowResult, { state: "failed" }>, ownFields: string[]): { message: string; shared: boolean } {
  const own = result.fields.name ?? ownFields.map((field) => result.fields[`sourceConfig.${field}`]).find(Boolean);
  if (own) return { message: own, shared: false };
  const shared = Object.keys(sharedSettingErrors({ row: result }, ownFields)).length > 0;
  return shared ? { message: "Not created: see the connection settings above", shared } : { message: result.message, shared };
}

/**
 * Creates one environment per chosen database, one after the other, each from the connection settings used to
 * find it plus the database's own settings; every row keeps its own outcome, so a failed name can be fixed and retried.
 */
export function useImportEnvironments(projectId: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const create = useMutation(trpc.environments.create.mutationOptions());
  const [results, setResults] = useState<Record<string, RowResult>>({});
  const [running, setRunning] = useState(false);
  const settle = (key: string, result: RowResult) => setResults((previous) => ({ ...previous, [key]: result }));

  async function createAll(found: DiscoverInput, rows: Array<{ database: DiscoveredDatabase; draft: RowDraft }>) {
    setRunning(true);
    for (const { database, draft } of rows) {
      settle(database.name, { state: "creating" });
      try {
        const environment = await create.mutateAsync({
          projectId,
          name: draft.name,
          stage: draft.stage,
          serverId: found.serverId,
          source: found.source,
          sourceConfig: { ...found.sourceConfig, ...database.config },
        });
        settle(database.name, { state: "created", environmentId: environment.id });
      } catch (error) {
        const info = errorInfo(error);
        settle(database.name, { state: "failed", message: info?.message ?? "The environment could not be created", fields: info?.fields ?? {} });
      }
    }
    setRunning(false);
    await queryClient.invalidateQueries();
  }

  return { results, running, createAll, reset: () => setResults({}) };
}
