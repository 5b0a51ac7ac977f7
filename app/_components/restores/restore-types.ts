import type { inferRouterOutputs } from "@trpc/server";
import type { Tone } from "@/app/_components/ui/layout";
import type { AppRouter } from "@/server/api/root";

export type RestoreItem = inferRouterOutputs<AppRouter>["restores"]["get"];
type RestoreStatusName = RestoreItem["status"];

export const RESTORE_STATUS_LABEL: Record<RestoreStatusName, string> = { pending: "Pending", in_progress: "In progress", completed: "Completed", failed: "Failed" };
export const RESTORE_STATUS_TONE: Record<RestoreStatusName, Tone> = { pending: "neutral", in_progress: "info", completed: "success", failed: "danger" };

/** The phases a restore reports, in the order it runs them, with what the operator reads. */
export const RESTORE_PHASES = [
  { id: "starting", label: "Starting" },
  { id: "checking the backup", label: "Checking the backup's manifest" },
  { id: "safety backup", label: "Safety backup" },
  { id: "connecting", label: "Connecting to the server" },
  { id: "loading the database", label: "Loading the database" },
  { id: "extracting the filestore", label: "Extracting the filestore" },
  { id: "preparing the copy", label: "Preparing the copy" },
  { id: "swapping", label: "Swapping the copy in" },
] as const;

export function phaseLabel(phase: string): string {
  return RESTORE_PHASES.find((p) => p.id === phase)?.label ?? phase.charAt(0).toUpperCase() + phase.slice(1);
}

export function isRestoreActive(restore: Pick<RestoreItem, "status">): boolean {
  return restore.status === "pending" || restore.status === "in_progress";
}

/** While a restore on screen is queued or running, its list refreshes every 2 s. */
export function refreshWhileRestoring(query: { state: { data?: { pages: Array<{ items: RestoreItem[] }> } } }): number | false {
  return query.state.data?.pages.some((p) => p.items.some(isRestoreActive)) ? 2000 : false;
}

/** Where an environment's page is, for links to a restore's target. */
export function environmentHref(projectId: string, environmentId: string): string {
  return `/projects/${projectId}/environments/${environmentId}`;
}

type PhaseStep = { id: string; label: string; state: "done" | "current" | "ahead" };

/** The phases this restore goes through (safety backup and filestore only when asked for), and where it is. */
export function phaseSteps(restore: Pick<RestoreItem, "status" | "safetyBackup" | "includeFilestore" | "progress">): PhaseStep[] {
  const order: string[] = RESTORE_PHASES.map((p) => p.id);
  const at = restore.status === "completed" ? order.length : order.indexOf(restore.progress?.phase ?? "starting");
  return RESTORE_PHASES.filter((p) => (p.id === "safety backup" ? restore.safetyBackup : p.id === "extracting the filestore" ? restore.includeFilestore : !["starting", "checking the backup", "connecting"].includes(p.id))).map((p) => {
    const index = order.indexOf(p.id);
    return { id: p.id, label: p.label, state: index < at ? "done" : index === at ? "current" : "ahead" };
  });
}
