import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { activityLog } from "@/server/db/schema";
import { decodeCursor, pageInput, pageSchema, toPage } from "./pagination";

export type ActivityEntry = {
  action: string;
  targetType: string;
  targetId?: string | null;
  targetLabel?: string;
  outcome?: "success" | "failure";
  message?: string;
  details?: Record<string, unknown>;
};

function activityRow(actor: Principal, entry: ActivityEntry) {
  return {
    orgId: actor.orgId,
    actorUserId: actor.userId,
    actorLabel: actor.label,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId ?? null,
    targetLabel: entry.targetLabel ?? "",
    outcome: entry.outcome ?? "success",
    message: entry.message ?? "",
    details: entry.details ?? null,
  };
}

export async function recordActivity(db: DbOrTx, actor: Principal, entry: ActivityEntry): Promise<void> {
  await db.insert(activityLog).values(activityRow(actor, entry));
}

/** Many entries in one statement, for passes that act on many objects at once (retention). */
export async function recordActivities(db: DbOrTx, entries: { actor: Principal; entry: ActivityEntry }[]): Promise<void> {
  if (entries.length > 0) await db.insert(activityLog).values(entries.map((e) => activityRow(e.actor, e.entry)));
}

export const listActivityInput = z.object({
  ...pageInput,
  outcome: z.enum(["success", "failure"]).optional(),
  targetType: z.string().max(50).optional(),
});

export const activityItem = z.object({
  id: z.number(),
  actor: z.string(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  targetLabel: z.string(),
  outcome: z.enum(["success", "failure"]),
  message: z.string(),
  createdAt: z.string(),
});

export const activityPage = pageSchema(activityItem);

export async function listActivity(db: DbOrTx, actor: Principal, input: z.infer<typeof listActivityInput>) {
  const filters: SQL[] = [eq(activityLog.orgId, actor.orgId)];
  if (input.outcome) filters.push(eq(activityLog.outcome, input.outcome));
  if (input.targetType) filters.push(eq(activityLog.targetType, input.targetType));
  if (input.cursor) {
    const [createdAt, id] = decodeCursor(input.cursor, 2) as [string, number];
    const at = new Date(createdAt);
    filters.push(or(lt(activityLog.createdAt, at), and(eq(activityLog.createdAt, at), lt(activityLog.id, id)))!);
  }
  const rows = await db
    .select()
    .from(activityLog)
    .where(and(...filters))
    .orderBy(desc(activityLog.createdAt), desc(activityLog.id))
    .limit(input.limit + 1);
  return toPage(
    rows,
    input.limit,
    (r) => ({
      id: r.id,
      actor: r.actorLabel,
      action: r.action,
      targetType: r.targetType,
      targetId: r.targetId,
      targetLabel: r.targetLabel,
      outcome: r.outcome,
      message: r.message,
      createdAt: r.createdAt.toISOString(),
    }),
    (r) => [r.createdAt.toISOString(), r.id],
  );
}
