import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import { backups, environments, projects, restoreDrills, restores, type notificationDeliveries } from "@/server/db/schema";
import { env } from "@/server/env";
import type { NotificationEvent, NotificationMessage } from "@/server/plugins/contracts";
import { overdueMessage } from "./overdue-message";

type Delivery = Pick<typeof notificationDeliveries.$inferSelect, "event" | "subjectId" | "title" | "createdAt">;

const TYPE_LABEL: Record<string, string> = { manual: "manual", scheduled: "scheduled", pre_restore: "pre-restore", pre_upgrade: "pre-upgrade", pre_destroy: "pre-destroy" };
const TARGET_LABEL: Record<string, string> = { original: "same environment", environment: "another environment", new_environment: "new environment" };

function bytes(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) [value, unit] = [value / 1024, unit + 1];
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

function duration(start: Date | null, end: Date | null): string | null {
  if (!start || !end) return null;
  const s = Math.max(0, Math.round((end.getTime() - start.getTime()) / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

function environmentUrl(projectId: string, environmentId: string): string {
  return `${env().publicUrl}/projects/${projectId}/environments/${environmentId}`;
}

/** "Backup failed: Acme / production". */
function titleFor(event: NotificationEvent, label: string): string {
  const [kind, outcome] = event.split(".") as [string, string];
  const subject: Record<string, string> = { backup: "Backup", restore: "Restore", drill: "Restore drill" };
  return `${subject[kind] ?? kind} ${outcome}: ${label}`;
}

export function testMessage(channelName: string): NotificationMessage {
  return {
    event: "test",
    title: "Test notification from Safehold",
    text: `The notification channel "${channelName}" works: backup and restore notifications will arrive like this one.`,
    severity: "info",
    fields: { channel: channelName },
    occurredAt: new Date().toISOString(),
  };
}

export async function backupMessage(db: DbOrTx, backupId: string): Promise<NotificationMessage | null> {
  const [row] = await db
    .select({ backup: backups, environment: { id: environments.id, name: environments.name }, project: { id: projects.id, name: projects.name } })
    .from(backups)
    .innerJoin(environments, eq(environments.id, backups.environmentId))
    .innerJoin(projects, eq(projects.id, backups.projectId))
    .where(eq(backups.id, backupId));
  if (!row) return null;
  const { backup, environment, project } = row;
  const ok = backup.status === "completed";
  const took = duration(backup.startedAt, backup.finishedAt);
  const type = TYPE_LABEL[backup.type] ?? backup.type;
  const named = backup.name ? ` "${backup.name}"` : "";
  const text = ok
    ? [`The ${type} backup${named} completed and was verified.`, [backup.sizeBytes !== null ? `Size ${bytes(backup.sizeBytes)}` : null, took ? `took ${took}` : null].filter(Boolean).join(", ")]
    : [`The ${type} backup${named} failed: ${backup.error ?? "no error was recorded"}`, took ? `It ran for ${took}; nothing of it was kept.` : "Nothing of it was kept."];
  const fields: Record<string, string> = { environment: environment.name, project: project.name, type, status: backup.status };
  if (ok && backup.sizeBytes !== null) fields.size = bytes(backup.sizeBytes);
  if (took) fields.duration = took;
  return {
    event: ok ? "backup.completed" : "backup.failed",
    title: titleFor(ok ? "backup.completed" : "backup.failed", `${project.name} / ${environment.name}`),
    text: text.filter(Boolean).join("\n"),
    severity: ok ? "success" : "failure",
    fields,
    url: environmentUrl(project.id, environment.id),
    occurredAt: (backup.finishedAt ?? new Date()).toISOString(),
  };
}

export async function restoreMessage(db: DbOrTx, restoreId: string): Promise<NotificationMessage | null> {
  const [row] = await db
    .select({ restore: restores, environment: { id: environments.id, name: environments.name }, project: { id: projects.id, name: projects.name }, backupAt: backups.finishedAt })
    .from(restores)
    .innerJoin(environments, eq(environments.id, restores.targetEnvironmentId))
    .innerJoin(projects, eq(projects.id, environments.projectId))
    .leftJoin(backups, eq(backups.id, restores.backupId))
    .where(eq(restores.id, restoreId));
  if (!row) return null;
  const { restore, environment, project } = row;
  const ok = restore.status === "completed";
  const took = duration(restore.startedAt, restore.finishedAt);
  const of = row.backupAt ? `the backup of ${row.backupAt.toISOString().slice(0, 16).replace("T", " ")} UTC` : "a backup";
  const text = ok
    ? [`${of.charAt(0).toUpperCase()}${of.slice(1)} was restored into ${environment.name}.`, restore.previousCopy ? `The former data was kept aside: ${restore.previousCopy.description}` : null]
    : [`Restoring ${of} into ${environment.name} failed: ${restore.error ?? "no error was recorded"}`];
  const fields: Record<string, string> = { environment: environment.name, project: project.name, target: TARGET_LABEL[restore.target] ?? restore.target, status: restore.status };
  if (took) fields.duration = took;
  return {
    event: ok ? "restore.completed" : "restore.failed",
    title: titleFor(ok ? "restore.completed" : "restore.failed", `${project.name} / ${environment.name}`),
    text: text.filter(Boolean).join("\n"),
    severity: ok ? "success" : "failure",
    fields,
    url: environmentUrl(project.id, environment.id),
    occurredAt: (restore.finishedAt ?? new Date()).toISOString(),
  };
}

export async function drillMessage(db: DbOrTx, drillId: string): Promise<NotificationMessage | null> {
  const [row] = await db
    .select({ drill: restoreDrills, environment: { id: environments.id, name: environments.name }, project: { id: projects.id, name: projects.name }, backupAt: backups.finishedAt })
    .from(restoreDrills)
    .innerJoin(environments, eq(environments.id, restoreDrills.environmentId))
    .innerJoin(projects, eq(projects.id, environments.projectId))
    .leftJoin(backups, eq(backups.id, restoreDrills.backupId))
    .where(eq(restoreDrills.id, drillId));
  if (!row || row.drill.status !== "failed") return null;
  const { drill, environment, project } = row;
  const of = row.backupAt ? `the backup of ${row.backupAt.toISOString().slice(0, 16).replace("T", " ")} UTC` : "the latest backup";
  const fields: Record<string, string> = { environment: environment.name, project: project.name, status: drill.status };
  const took = duration(drill.startedAt, drill.finishedAt);
  if (took) fields.duration = took;
  return {
    event: "drill.failed",
    title: titleFor("drill.failed", `${project.name} / ${environment.name}`),
    text: [`A restore drill of ${of} failed: ${drill.error ?? "no error was recorded"}`, "The scratch copy was dropped; no environment was touched."].join("\n"),
    severity: "failure",
    fields,
    url: environmentUrl(project.id, environment.id),
    occurredAt: (drill.finishedAt ?? new Date()).toISOString(),
  };
}

/**
 * What a delivery sends, built when it is sent from the backup or restore it is about. A subject deleted in the
 * meantime still gets its stored title through.
 */
export async function messageForDelivery(db: DbOrTx, delivery: Delivery, channelName: string): Promise<NotificationMessage> {
  const event = delivery.event as NotificationEvent;
  if (event === "test" || !delivery.subjectId) return { ...testMessage(channelName), title: delivery.title };
  const built =
    event === "backup.overdue"
      ? await overdueMessage(db, delivery.subjectId)
      : event.startsWith("backup.")
        ? await backupMessage(db, delivery.subjectId)
        : event.startsWith("drill.")
          ? await drillMessage(db, delivery.subjectId)
          : await restoreMessage(db, delivery.subjectId);
  return (
    built ?? {
      event,
      title: delivery.title,
      text: event === "backup.overdue" ? "The environment was deleted before this notification could be sent." : `The ${event.split(".")[0] === "drill" ? "restore drill" : event.split(".")[0]} was deleted before this notification could be sent.`,
      severity: event.endsWith(".failed") || event === "backup.overdue" ? "failure" : "success",
      fields: {},
      occurredAt: delivery.createdAt.toISOString(),
    }
  );
}
