import { and, asc, desc, eq, inArray, isNotNull, sql } from "drizzle-orm";
import { z } from "zod";
import { SYSTEM_ACTOR_LABEL, type Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { activityLog, users } from "@/server/db/schema";
import { activityConditions, activityFilterInput } from "./activity-filters";
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

export const listActivityInput = activityFilterInput.extend(pageInput);

export const activityItem = z.object({
  id: z.number(),
  actor: z.string(),
  /** The console's own work (scheduler, retention, reapers) rather than a person's. */
  system: z.boolean(),
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
  const filters = activityConditions(actor, input);
  if (input.cursor) {
    const [createdAt, id] = decodeCursor(input.cursor, 2) as [string, number];
    filters.push(sql`(${activityLog.createdAt} < ${createdAt}::timestamptz or (${activityLog.createdAt} = ${createdAt}::timestamptz and ${activityLog.id} < ${id}))`);
  }
  // The cursor keeps the time as PostgreSQL wrote it, to the microsecond: rows inserted in one statement share it,
  // and a JavaScript Date (milliseconds) would skip them on the next page.
  const rows = await db
    .select({ entry: activityLog, at: sql<string>`${activityLog.createdAt}::text` })
    .from(activityLog)
    .where(and(...filters))
    .orderBy(desc(activityLog.createdAt), desc(activityLog.id))
    .limit(input.limit + 1);
  return toPage(rows, input.limit, (r) => toItem(r.entry), (r) => [r.at, r.entry.id]);
}

function toItem(r: typeof activityLog.$inferSelect): z.infer<typeof activityItem> {
  return {
    id: r.id,
    actor: r.actorLabel,
    system: r.actorUserId === null && r.actorLabel === SYSTEM_ACTOR_LABEL,
    action: r.action,
    targetType: r.targetType,
    targetId: r.targetId,
    targetLabel: r.targetLabel,
    outcome: r.outcome,
    message: r.message,
    createdAt: r.createdAt.toISOString(),
  };
}

export const activityFacets = z.object({
  /** Members who appear in the log (a user filter's choices). */
  users: z.array(z.object({ id: z.string(), email: z.string() })),
  /** Every action the log holds (an action filter's choices). */
  actions: z.array(z.string()),
});

/** What the organization's log holds to filter on: the people who acted and the actions recorded. */
export async function listActivityFacets(db: DbOrTx, actor: Principal): Promise<z.infer<typeof activityFacets>> {
  const inOrg = eq(activityLog.orgId, actor.orgId);
  const [actions, people] = await Promise.all([
    db.selectDistinct({ action: activityLog.action }).from(activityLog).where(inOrg).orderBy(asc(activityLog.action)),
    db.selectDistinct({ id: activityLog.actorUserId }).from(activityLog).where(and(inOrg, isNotNull(activityLog.actorUserId))),
  ]);
  const ids = people.map((p) => p.id!);
  const emails = ids.length ? await db.select({ id: users.id, email: users.email }).from(users).where(inArray(users.id, ids)).orderBy(asc(users.email)) : [];
  return { users: emails, actions: actions.map((a) => a.action) };
}
