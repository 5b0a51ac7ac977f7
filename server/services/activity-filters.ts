import { and, eq, gte, isNotNull, isNull, lte, ne, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { SYSTEM_ACTOR_LABEL, type Principal } from "@/server/auth/principal";
import { activityLog } from "@/server/db/schema";

/** Whose rows: people (members, their tokens and the jobs they asked for), the console's own work, or both. */
export const ACTIVITY_ACTORS = ["all", "people", "system"] as const;

/** The Activity page's filters, the same over tRPC, REST (`GET /activity?…`) and the CSV export. */
export const activityFilterInput = z.object({
  outcome: z.enum(["success", "failure"]).optional(),
  targetType: z.string().max(50).optional(),
  /** Rows about the project, its environments and their backups. */
  projectId: z.uuid().optional(),
  /** Rows about the environment and its backups. */
  environmentId: z.uuid().optional(),
  /** One action, e.g. `backup.create`. */
  action: z.string().max(80).optional(),
  /** Rows of one member: in the console, over their API tokens and CLI, and the jobs they asked for. */
  userId: z.uuid().optional(),
  actors: z.enum(ACTIVITY_ACTORS).default("all"),
  /** Matches the message, the target, who acted or the action. */
  q: z.string().trim().max(100).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

export type ActivityFilters = z.infer<typeof activityFilterInput>;

const system = () => and(isNull(activityLog.actorUserId), eq(activityLog.actorLabel, SYSTEM_ACTOR_LABEL))!;
// A deleted member's rows keep their email as the label: they stay people.
const people = () => or(isNotNull(activityLog.actorUserId), ne(activityLog.actorLabel, SYSTEM_ACTOR_LABEL))!;

const target = (type: string, id: string) => and(eq(activityLog.targetType, type), eq(activityLog.targetId, id))!;

/**
 * Rows about an environment: the environment itself, its backups, and rows that name it in their details (a deleted
 * backup's row, whose backup is gone). Subqueries take constants only, so no outer column is rendered inside them.
 */
function aboutEnvironment(orgId: string, environmentId: string): SQL {
  return or(
    target("environment", environmentId),
    sql`(${activityLog.targetType} = 'backup' and ${activityLog.targetId} in (select b.id::text from backups b where b.org_id = ${orgId} and b.environment_id = ${environmentId}))`,
    sql`${activityLog.details} ->> 'environmentId' = ${environmentId}`,
  )!;
}

function aboutProject(orgId: string, projectId: string): SQL {
  return or(
    target("project", projectId),
    sql`(${activityLog.targetType} = 'environment' and ${activityLog.targetId} in (select e.id::text from environments e where e.org_id = ${orgId} and e.project_id = ${projectId}))`,
    sql`(${activityLog.targetType} = 'backup' and ${activityLog.targetId} in (select b.id::text from backups b where b.org_id = ${orgId} and b.project_id = ${projectId}))`,
    sql`${activityLog.details} ->> 'projectId' = ${projectId}`,
  )!;
}

/** The conditions of the filters, always inside the caller's organization. */
export function activityConditions(actor: Principal, input: ActivityFilters): SQL[] {
  const filters: SQL[] = [eq(activityLog.orgId, actor.orgId)];
  if (input.outcome) filters.push(eq(activityLog.outcome, input.outcome));
  if (input.targetType) filters.push(eq(activityLog.targetType, input.targetType));
  if (input.action) filters.push(eq(activityLog.action, input.action));
  if (input.userId) filters.push(eq(activityLog.actorUserId, input.userId));
  if (input.actors === "system") filters.push(system());
  if (input.actors === "people") filters.push(people());
  if (input.environmentId) filters.push(aboutEnvironment(actor.orgId, input.environmentId));
  if (input.projectId) filters.push(aboutProject(actor.orgId, input.projectId));
  if (input.q) {
    const pattern = `%${input.q.replace(/[\\%_]/g, "\\$&")}%`;
    filters.push(sql`(${activityLog.message} ilike ${pattern} or ${activityLog.targetLabel} ilike ${pattern} or ${activityLog.actorLabel} ilike ${pattern} or ${activityLog.action} ilike ${pattern})`);
  }
  if (input.from) filters.push(gte(activityLog.createdAt, new Date(input.from)));
  if (input.to) filters.push(lte(activityLog.createdAt, new Date(input.to)));
  return filters;
}
