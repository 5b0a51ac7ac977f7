import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { ValidationError } from "@/server/errors";
import { findEnvironment } from "./environments";
import { findProject } from "./projects";

type ProjectRef = { id: string; name: string };

/** What a restore request says about its target, as far as the checks below need it. */
type TargetRequest = {
  target: "original" | "environment" | "new_environment";
  environmentId?: string;
  newEnvironment?: { projectId: string };
  confirm?: string;
  crossClientConfirmed?: boolean;
};

/**
 * Typing RESTORE is asked only where current data is replaced: an existing environment. A new environment has
 * nothing to lose, so it needs no confirmation (a client that sends one anyway is still accepted).
 */
export function assertReplaceConfirmed(input: TargetRequest): void {
  if (input.target !== "new_environment" && input.confirm !== "RESTORE") {
    throw new ValidationError("Type RESTORE to confirm: the target's current data will be replaced", { confirm: "Type RESTORE to confirm" });
  }
}

/** The project (client) the restored data lands in: the target environment's, or the new environment's. */
export async function targetProjectOf(db: DbOrTx, actor: Principal, input: TargetRequest, origin: { projectId: string; projectName: string }): Promise<ProjectRef> {
  if (input.target === "original") return { id: origin.projectId, name: origin.projectName };
  if (input.target === "environment") {
    const target = await findEnvironment(db, actor, input.environmentId!);
    return { id: target.environment.projectId, name: target.projectName };
  }
  const project = await findProject(db, actor, input.newEnvironment!.projectId);
  return { id: project.id, name: project.name };
}

/** "Restore Acme's data into Globex's project": the words the wizard and the API use for a cross-client restore. */
export function crossClientWords(from: string, into: string): string {
  return `Restore ${from}'s data into ${into}'s project`;
}

/**
 * One client's data never lands in another client's project by a slip of the project list: a target in another
 * project than the backup's needs `crossClientConfirmed`. Returns the words for the activity log, or null.
 */
export function assertCrossClientConfirmed(backupProject: ProjectRef, target: ProjectRef, confirmed: boolean | undefined): string | null {
  if (backupProject.id === target.id) return null;
  const words = crossClientWords(backupProject.name, target.name);
  if (!confirmed) {
    throw new ValidationError(`This backup holds ${backupProject.name}'s data and ${target.name} is another client: confirm "${words}" (crossClientConfirmed: true) to go ahead`, {
      crossClientConfirmed: `Confirm: ${words}`,
    });
  }
  return `${backupProject.name}'s data into ${target.name}'s project`;
}
