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
  /** Null until the operator chooses: no target is ever pre-selected (the original would be overwritten). */
  choice: RestoreChoice | null;
  /** The existing environment chosen (for `environment`, and `server` + `existing`). */
  environment: EnvironmentItem | null;
  serverMode: ServerTargetMode;
  /** The new environment beside the original (`new_environment`). */
  copy: NewEnvironmentDraft;
  /** The new environment on another server (`server` + `new`); its serverId is the chosen server. */
  move: NewEnvironmentDraft;
  /** The project another client's restore was confirmed for; choosing another target project asks again. */
  crossClientConfirmedFor: string | null;
};

/** The backup's own project (client), which a restore leaves only with an explicit confirmation. */
export type ProjectRef = { id: string; name: string };

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
    choice: null,
    environment: null,
    serverMode: "existing",
    copy: { projectId: origin.projectId, name: `${origin.name} copy`, stage: "staging", serverId: origin.serverId, sourceConfig: copyConfig, nameEdited: false },
    move: { projectId: origin.projectId, name: origin.name, stage: origin.stage, serverId: "", sourceConfig: { ...origin.sourceConfig }, nameEdited: false },
    crossClientConfirmedFor: null,
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

/** The project the restored data lands in, once the target is chosen. */
export function targetProjectOf(plan: RestorePlan, origin: EnvironmentItem, projects: ProjectRef[]): ProjectRef | null {
  const existing = existingTargetOf(plan, origin);
  if (existing) return { id: existing.projectId, name: existing.projectName };
  const draft = newEnvironmentOf(plan);
  const project = draft && projects.find((p) => p.id === draft.projectId);
  return project ? { id: project.id, name: project.name } : null;
}

/** The target's project when it is another client's than the backup's: that restore needs its own confirmation. */
export function crossClientTarget(plan: RestorePlan, origin: EnvironmentItem, backupProject: ProjectRef, projects: ProjectRef[]): ProjectRef | null {
  const project = targetProjectOf(plan, origin, projects);
  return project && project.id !== backupProject.id ? project : null;
}

/** "Restore Acme's data into Globex's project", as the server words it too. */
export function crossClientWords(from: string, into: string): string {
  return `Restore ${from}'s data into ${into}'s project`;
}

/** Why the first step cannot be left yet, or null when the target is complete (and, for another client's project, confirmed). */
export function missingTarget(plan: RestorePlan, crossClient: { from: ProjectRef; into: ProjectRef | null }): string | null {
  const incomplete = incompleteTarget(plan);
  if (incomplete) return incomplete;
  const into = crossClient.into;
  if (into && plan.crossClientConfirmedFor !== into.id) return `Confirm the restore into ${into.name}'s project to continue`;
  return null;
}

function incompleteTarget(plan: RestorePlan): string | null {
  if (!plan.choice) return "Choose a target to continue";
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

/**
 * The request: RESTORE only where existing data is replaced, and the cross-client confirmation only when the target
 * is another client's project (`crossClient`) and the operator gave it for that project.
 */
export function restoreInput(plan: RestorePlan, origin: EnvironmentItem, backupId: string, options: RestoreOptions, confirm: string, crossClient: ProjectRef | null): CreateRestoreInput {
  const draft = newEnvironmentOf(plan);
  const crossClientConfirmed = crossClient !== null && plan.crossClientConfirmedFor === crossClient.id ? { crossClientConfirmed: true } : {};
  if (draft) {
    const { projectId, name, stage, serverId, sourceConfig } = draft;
    const newEnvironment = { projectId, name, stage, serverId, sourceConfig: changedSettings(origin.sourceConfig, sourceConfig) };
    return { backupId, ...options, ...crossClientConfirmed, target: "new_environment", safetyBackup: false, newEnvironment };
  }
  const common = { backupId, ...options, ...crossClientConfirmed, confirm };
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

const TARGET_FIELDS = ["environmentId", "projectId", "name", "stage", "serverId", "crossClientConfirmed"];

/** Whether an error concerns the first step (the target), so the wizard goes back there to show it. */
export function concernsTarget(fields: Record<string, string>): boolean {
  return Object.keys(fields).some((key) => TARGET_FIELDS.includes(key) || key.startsWith("sourceConfig."));
}
