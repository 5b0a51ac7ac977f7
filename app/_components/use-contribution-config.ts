"use client";

import { useState } from "react";
import type { ContributionKind, PluginConfig } from "@/server/plugins/contracts";
import { rememberChoice, useContributions } from "./plugin-contributions";
import { schemaDefaults } from "./schema-form";

/**
 * The state of a form that picks a plugin contribution (server kind, source, storage provider) and edits its
 * configuration. Choosing another contribution starts from its schema's defaults; `onEdit` runs on every change
 * (forms use it to clear a stale test result).
 */
export function useContributionConfig(kind: ContributionKind, initial: { id?: string; config?: PluginConfig }, onEdit: () => void) {
  const contributions = useContributions(kind);
  const [chosen, setChosen] = useState(initial.id);
  const [draft, setDraft] = useState(initial.config);
  const id = chosen ?? contributions.defaultId();
  const contribution = contributions.find(id);
  return {
    contributions,
    id,
    contribution,
    config: draft ?? schemaDefaults(contribution?.configSchema),
    choose(next: string) {
      setChosen(next);
      rememberChoice(kind, next);
      setDraft(schemaDefaults(contributions.find(next)?.configSchema));
      onEdit();
    },
    edit(next: PluginConfig) {
      setDraft(next);
      onEdit();
    },
  };
}

/** Whether the form shows every error next to a field (then no banner is needed). */
export function errorsShownAtFields(fields: Record<string, string>, names: string[], configPrefix: string): boolean {
  return Object.keys(fields).some((key) => names.includes(key) || key.startsWith(`${configPrefix}.`));
}
