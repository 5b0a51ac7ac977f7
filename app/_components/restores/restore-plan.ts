import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import type { Stage } from "@/shared/enum-values";
import type { ConfigSchema, PluginConfig } from "@/server/plugins/contracts";
import { fieldsMarked } from "@/shared/plugin-fields";

export type EnvironmentItem = inferRouterOutputs<AppRouter>["environments"]["get"];
type CreateRestoreInput = inferRouterInputs<AppRouter>["restores"]["create"];
export type RestoreOptions = Pick<CreateRestoreInput, "safetyBackup" | "includeFilestore" | "neutralize">;

/** The four answers to "where to restore"; `server` maps onto an existing environment or a new one there. */
export type RestoreChoice = "original" | "environment" | "new_environment" | "server";
export type ServerTargetMode = "existing" | "new";

/** `nameEdited`: the operator typed a name, so choosing another server no longer renames it. */
export type NewEnvironmentDraft = { projectId: string; name: string; stage: Stage; serverId: string; sourceConfig: PluginConfig; nameEdited: boolean };

export type RestorePlan = {
  choice: RestoreChoice;
  /** The existing environment chosen (for `environment`, and `server` + `existing`). */
  environment: EnvironmentItem | null;
  serverMode: ServerTargetMode;
  /** The new environment beside the original (`new_environment`). */
  copy: NewEnvironmentDraft;
  /** The new environment on another server (`server` + `new`); its serverId is the chosen server. */
  move: NewEnvironmentDraft;
};

/**
 * The plan the wizard opens with. A copy beside the original needs its own data: each copy-target database name
 * gets a `_copy` suffix; other copy-target fields (a data folder) stay, the source keeps copies apart in them.
 */
export function initialPlan(origin: EnvironmentItem, schema: ConfigSchema | undefined): RestorePlan {
  const copyConfig = { ...origin.sourceConfig };
  for (const name of fieldsMarked(schema, "copyTarget")) {
    const value = copyConfig[name];
    if (schema?.properties[name]?.format === "database-name" && typeof value === "string" && value) copyConfig[name] = `${value}_copy`;
  }
  return {
    // An archived environment (a catalog import's stand-in) is never restored into: its backups go to a new one.
    choice: origin.archivedAt ? "new_environment" : "original",
    environment: null,
    serverMode: "existing",
    copy: { projectId: origin.projectId, name: `${origin.name} copy`, stage: "staging", serverId: origin.serverId, sourceConfig: copyConfig, nameEdited: false },
    move: { projectId: origin.projectId, name: origin.name, stage: origin.stage, serverId: "", sourceConfig: { ...origin.sourceConfig }, nameEdited: false },
  };
}

/** Picks the other server; the new environment there is named after it until the operator names it. */
export function chooseServer(plan: RestorePlan, origin: EnvironmentItem, server: { id: string; name: string }): RestorePlan {
  const name = plan.move.nameEdited ? plan.move.name : `${origin.name} (${server.name})`;
  return { ...plan, environment: null, move: { ...plan.move, serverId: server.id, name } };
}

/** Environments a backup of `origin` can be restored into: the same source, not the original itself. */
export function compatibleEnvironments(items: EnvironmentItem[], origin: EnvironmentItem): EnvironmentItem[] {
  return items.filter((e) => e.source === origin.source && e.id !== origin.id && !e.archivedAt);
}

/** The new environment the plan creates, if any. */
export function newEnvironmentOf(plan: RestorePlan): NewEnvironmentDraft | null {
  if (plan.choice === "new_environment") return plan.copy;
  if (plan.choice === "server" && plan.serverMode === "new") return plan.move;
  return null;
}

/** The existing environment the plan restores into, if any. */
export function existingTargetOf(plan: RestorePlan, origin: EnvironmentItem): EnvironmentItem | null {
  if (plan.choice === "original") return origin;
  if (plan.choice === "environment" || (plan.choice === "server" && plan.serverMode === "existing")) return plan.environment;
  return null;
}

/** Why the first step cannot be left yet, or null when the target is complete. */
export function missingTarget(plan: RestorePlan): string | null {
  if (plan.choice === "server" && !plan.move.serverId) return "Choose the server to restore onto";
  const draft = newEnvironmentOf(plan);
  if (draft) {
    if (!draft.projectId) return "Choose the project of the new environment";
    if (!draft.name.trim()) return "Name the new environment";
    if (!draft.serverId) return "Choose the server of the new environment";
    return null;
  }
  if (plan.choice !== "original" && !plan.environment) return "Choose the environment to restore into";
  return null;
}

/** Neutralize by default whenever the copy is not production: a staging copy must never email real customers. */
export function defaultNeutralize(targetStage: Stage): boolean {
  return targetStage !== "production";
}

/** The settings the operator changed; the server takes every other one (and the secrets) from the original. */
function changedSettings(original: PluginConfig, edited: PluginConfig): PluginConfig {
  return Object.fromEntries(Object.entries(edited).filter(([name, value]) => value !== original[name]));
}

export function restoreInput(plan: RestorePlan, origin: EnvironmentItem, backupId: string, options: RestoreOptions, confirm: string): CreateRestoreInput {
  const draft = newEnvironmentOf(plan);
  const common = { backupId, ...options, confirm };
  if (draft) {
    const { projectId, name, stage, serverId, sourceConfig } = draft;
    return { ...common, target: "new_environment", safetyBackup: false, newEnvironment: { projectId, name, stage, serverId, sourceConfig: changedSettings(origin.sourceConfig, sourceConfig) } };
  }
  if (plan.choice === "original") return { ...common, target: "original" };
  return { ...common, target: "environment", environmentId: plan.environment?.id };
}

/**
 * The API's field errors as the wizard's fields name them: `newEnvironment.name` → `name`; settings of the new
 * environment are `sourceConfig.<field>` either way.
 */
export function wizardFieldErrors(fields: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).map(([key, message]) => [key.replace(/^newEnvironment\./, ""), message]));
}

const TARGET_FIELDS = ["environmentId", "projectId", "name", "stage", "serverId"];

/** Whether an error concerns the first step (the target), so the wizard goes back there to show it. */
export function concernsTarget(fields: Record<string, string>): boolean {
  return Object.keys(fields).some((key) => TARGET_FIELDS.includes(key) || key.startsWith("sourceConfig."));
}
