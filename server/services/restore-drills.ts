import { and, desc, eq, lt, or } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { restoreDrills, servers } from "@/server/db/schema";
import { drillJobKey } from "@/server/drills/job-key";
import { enqueueJob, environmentQueue } from "@/server/jobs/enqueue";
import { NotFoundError } from "@/server/errors";
import { recordActivity } from "./activity";
import { effectivePolicyFor } from "./backup-policies";
import { findEnvironment } from "./environments";
import { progressOutput } from "@/server/jobs/run-progress";

export const drillItem = z.object({
  id: z.string(),
  environmentId: z.string(),
  backupId: z.string().nullable(),
  serverId: z.string().nullable(),
  serverName: z.string().nullable(),
  status: z.enum(["pending", "in_progress", "completed", "failed"]),
  scheduled: z.boolean(),
  checks: z.array(z.object({ check: z.string(), ok: z.boolean(), detail: z.string() })),
  error: z.string().nullable(),
  failureKind: z.string().nullable(),
  progress: progressOutput.nullable(),
  log: z.array(z.object({ at: z.string(), message: z.string(), level: z.enum(["info", "warn", "error"]) })),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type DrillItem = z.infer<typeof drillItem>;

export const listDrillsInput = z.object({
  environmentId: z.uuid(),
  limit: z.number().int().min(1).max(100).default(20),
  /** The `createdAt` of the last drill of the previous page. */
  before: z.coerce.date().optional(),
});
export const drillPage = z.object({ items: z.array(drillItem) });

const columns = { drill: restoreDrills, serverName: servers.name };

function toItem({ drill, serverName }: { drill: typeof restoreDrills.$inferSelect; serverName: string | null }): DrillItem {
  return {
    id: drill.id,
    environmentId: drill.environmentId,
    backupId: drill.backupId,
    serverId: drill.serverId,
    serverName,
    status: drill.status,
    scheduled: drill.scheduledFor !== null,
    checks: drill.checks,
    error: drill.error,
    failureKind: drill.failureKind,
    progress: drill.progress ?? null,
    log: drill.log,
    createdAt: drill.createdAt.toISOString(),
    startedAt: drill.startedAt?.toISOString() ?? null,
    finishedAt: drill.finishedAt?.toISOString() ?? null,
  };
}

/**
 * "Run a restore drill now": queued in the environment's queue (after any backup or restore of it), on the server
 * its policy names for drills. A drill already waiting or running is returned instead of a second one.
 */
export async function requestDrill(db: DbOrTx, actor: Principal, environmentId: string): Promise<DrillItem> {
  const environment = await findEnvironment(db, actor, environmentId);
  const policy = await effectivePolicyFor(db, actor.orgId, environmentId);
  return db.transaction(async (tx) => {
    const [waiting] = await tx
      .select(columns)
      .from(restoreDrills)
      .leftJoin(servers, eq(servers.id, restoreDrills.serverId))
      .where(and(eq(restoreDrills.environmentId, environmentId), or(eq(restoreDrills.status, "pending"), eq(restoreDrills.status, "in_progress"))))
      .limit(1);
    if (waiting) return toItem(waiting);
    const serverId = policy.drill.serverId ?? environment.environment.serverId;
    const [row] = await tx.insert(restoreDrills).values({ orgId: actor.orgId, environmentId, serverId, requestedBy: actor.userId }).returning();
    await enqueueJob(tx, "drill/run", { drillId: row!.id }, { queueName: environmentQueue(environmentId), jobKey: drillJobKey(row!.id), maxAttempts: 1 });
    await recordActivity(tx, actor, { action: "drill.create", targetType: "environment", targetId: environmentId, targetLabel: `${environment.projectName} / ${environment.environment.name}`, message: "Restore drill queued" });
    return getDrillIn(tx, actor, row!.id);
  });
}

async function getDrillIn(db: DbOrTx, actor: Principal, id: string): Promise<DrillItem> {
  const [row] = await db
    .select(columns)
    .from(restoreDrills)
    .leftJoin(servers, eq(servers.id, restoreDrills.serverId))
    .where(and(eq(restoreDrills.id, id), eq(restoreDrills.orgId, actor.orgId)));
  if (!row) throw new NotFoundError("Restore drill");
  return toItem(row);
}

export function getDrill(db: DbOrTx, actor: Principal, id: string): Promise<DrillItem> {
  return getDrillIn(db, actor, id);
}

/** An environment's drills, newest first. */
export async function listDrills(db: DbOrTx, actor: Principal, input: z.infer<typeof listDrillsInput>) {
  await findEnvironment(db, actor, input.environmentId);
  const rows = await db
    .select(columns)
    .from(restoreDrills)
    .leftJoin(servers, eq(servers.id, restoreDrills.serverId))
    .where(and(eq(restoreDrills.environmentId, input.environmentId), input.before ? lt(restoreDrills.createdAt, input.before) : undefined))
    .orderBy(desc(restoreDrills.createdAt))
    .limit(input.limit);
  return { items: rows.map(toItem) };
}
