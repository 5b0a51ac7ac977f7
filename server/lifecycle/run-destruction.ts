import { and, eq, isNull, sql } from "drizzle-orm";
import type { Principal } from "@/server/auth/principal";
import { runBackup } from "@/server/backups/run-backup";
import type { Db, DbOrTx } from "@/server/db";
import { backups, destructions, environments, projects, servers, users } from "@/server/db/schema";
import { oneLine } from "@/server/jobs/run-failure";
import { currentRunnerId } from "@/server/jobs/worker-presence";
import { processLogger } from "@/server/plugins/call-context";
import type { PluginHost } from "@/server/plugins/host";
import { openSourceSession } from "@/server/servers/connect-server";
import { recordActivity } from "@/server/services/activity";
import { chooseStorageLocation, insertPendingBackup } from "@/server/services/backup-lifecycle";
import { effectivePolicyFor } from "@/server/services/backup-policies";
import { environmentSourceConfig } from "@/server/services/plugin-config";
import { KEEP_FINAL_LABELS, keepBackupsUntil } from "./keep-final-backups";

type Destruction = typeof destructions.$inferSelect;

function actorOf(d: Destruction, email: string | null): Principal {
  return { userId: d.requestedBy, orgId: d.orgId, role: "owner", label: email ? `${email} (destroy job)` : "Safehold", via: "system" };
}

/**
 * "Destroy environment", in the environment's queue (never beside its backups or restores): takes the final
 * `pre_destroy` backup and waits until it is verified, then has the source remove the environment's data on its
 * server, then archives the environment. If anything before the removal fails, nothing is removed.
 */
export async function runDestruction(db: Db, plugins: PluginHost, destructionId: string, signal: AbortSignal): Promise<void> {
  const [row] = await db.select({ d: destructions, email: users.email }).from(destructions).leftJoin(users, eq(users.id, destructions.requestedBy)).where(eq(destructions.id, destructionId));
  if (!row || row.d.status !== "pending") return;
  const d = row.d;
  const actor = actorOf(d, row.email);
  const fail = async (message: string) => {
    await db.update(destructions).set({ status: "failed", error: message, finishedAt: new Date() }).where(eq(destructions.id, d.id));
    await recordActivity(db, actor, { action: "environment.destroy", targetType: "environment", targetId: d.environmentId, targetLabel: d.label, outcome: "failure", message });
  };
  const [env] = d.environmentId ? await db.select().from(environments).where(eq(environments.id, d.environmentId)) : [];
  if (!env) return fail("The environment was deleted before it could be destroyed");
  if (env.archivedAt) return fail("The environment is already archived");
  const [server] = await db.select().from(servers).where(eq(servers.id, env.serverId));

  // Claimed once, by this worker process: the reaper fails it if this process goes away.
  const claimed = await db
    .update(destructions)
    .set({ status: "backing_up", runnerId: currentRunnerId() })
    .where(and(eq(destructions.id, d.id), eq(destructions.status, "pending")))
    .returning({ id: destructions.id });
  if (claimed.length === 0) return;
  let backupId: string;
  try {
    const policy = await effectivePolicyFor(db, env.orgId, env.id);
    const location = await chooseStorageLocation(db, actor, policy.storageLocationId ?? undefined);
    backupId = await insertPendingBackup(db, env.orgId, {
      environment: env,
      storageLocationId: location.id,
      type: "pre_destroy",
      name: "Final backup before destroying the environment",
      notes: `Taken automatically; kept ${KEEP_FINAL_LABELS[d.keepBackups]}`,
      requestedBy: d.requestedBy,
      retention: "permanent",
      includeFilestore: true,
    });
  } catch (err) {
    return fail(`The final backup could not start (${oneLine(err)}): nothing was removed`);
  }
  await db.update(destructions).set({ backupId }).where(eq(destructions.id, d.id));
  // A step of the destroy, which waits for it here: it must not be put back in line for its server's capacity.
  await runBackup(db, plugins, backupId, signal, { insideOperation: true });
  const [final] = await db.select({ status: backups.status, verified: backups.verified, error: backups.error }).from(backups).where(eq(backups.id, backupId));
  if (final?.status !== "completed" || !final.verified) {
    return fail(`The final backup did not complete (${final?.error ?? final?.status ?? "deleted"}): nothing was removed`);
  }

  await db.update(destructions).set({ status: "destroying" }).where(eq(destructions.id, d.id));
  let removed: string[];
  try {
    const config = environmentSourceConfig(env);
    const session = await openSourceSession(plugins, env.source, config, server!);
    try {
      removed = (await session.source.destroy({ config, server: session.server, signal, log: processLogger(`destroy ${d.id}`) })).removed;
    } finally {
      await session.server.close();
    }
  } catch (err) {
    return fail(`The final backup is kept, but the environment's data could not be removed: ${oneLine(err)}`);
  }

  const now = new Date();
  await db.transaction(async (tx) => {
    await tx.update(environments).set({ archivedAt: now, keepBackups: d.keepBackups, keepBackupsUntil: keepBackupsUntil(d.keepBackups, now) }).where(eq(environments.id, env.id));
    await tx.update(destructions).set({ status: "completed", removed, finishedAt: now }).where(eq(destructions.id, d.id));
    await recordActivity(tx, actor, {
      action: "environment.destroy",
      targetType: "environment",
      targetId: env.id,
      targetLabel: d.label,
      message: `Removed ${removed.length ? removed.join(", ") : "nothing (its data was already gone)"}; archived, its backups kept ${KEEP_FINAL_LABELS[d.keepBackups]}`,
    });
    if (d.offboarding) await archiveProjectWhenDone(tx, actor, env.projectId, now);
  });
}

/** Offboarding ends when the project's last active environment is archived. */
async function archiveProjectWhenDone(db: DbOrTx, actor: Principal, projectId: string, now: Date) {
  const [active] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(environments)
    .where(and(eq(environments.projectId, projectId), isNull(environments.archivedAt)));
  if ((active?.n ?? 0) > 0) return;
  const [project] = await db.update(projects).set({ archivedAt: now }).where(and(eq(projects.id, projectId), isNull(projects.archivedAt))).returning();
  if (project) await recordActivity(db, actor, { action: "project.offboard", targetType: "project", targetId: project.id, targetLabel: project.name, message: "Every environment destroyed and archived: the project is archived" });
}
