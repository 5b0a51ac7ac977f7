import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import { environments, overdueAlerts, projects, type OverdueReason } from "@/server/db/schema";
import { env } from "@/server/env";
import type { NotificationMessage } from "@/server/plugins/contracts";

const REASON_LABEL: Record<OverdueReason, string> = { no_worker: "no worker", failing: "failing", never_ran: "never ran" };

function utc(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function overdueTitle(projectName: string, environmentName: string): string {
  return `Backup overdue: ${projectName} / ${environmentName}`;
}

/** "Backup overdue: Acme / production", saying which slot had no successful backup and why. */
export async function overdueMessage(db: DbOrTx, alertId: string): Promise<NotificationMessage | null> {
  const [row] = await db
    .select({ alert: overdueAlerts, environment: { id: environments.id, name: environments.name }, project: { id: projects.id, name: projects.name } })
    .from(overdueAlerts)
    .innerJoin(environments, eq(environments.id, overdueAlerts.environmentId))
    .innerJoin(projects, eq(projects.id, environments.projectId))
    .where(eq(overdueAlerts.id, alertId));
  if (!row) return null;
  const { alert, environment, project } = row;
  return {
    event: "backup.overdue",
    title: overdueTitle(project.name, environment.name),
    text: [`No backup of ${environment.name} succeeded since its scheduled time of ${utc(alert.slot)}.`, alert.detail].join("\n"),
    severity: "failure",
    fields: { environment: environment.name, project: project.name, reason: REASON_LABEL[alert.reason], slot: alert.slot.toISOString() },
    url: `${env().publicUrl}/projects/${project.id}/environments/${environment.id}`,
    occurredAt: alert.createdAt.toISOString(),
  };
}
