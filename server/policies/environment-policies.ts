import { and, eq, isNull, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import { backupPolicies, environments, projects } from "@/server/db/schema";
import { effectivePolicy } from "./effective-policy";
import { BUILT_IN_POLICY, type Policy } from "./policy-fields";
import { toOverride } from "./policy-row";

export type EnvironmentPolicy = {
  environmentId: string;
  orgId: string;
  projectId: string;
  environmentName: string;
  projectName: string;
  createdAt: Date;
  /** Since when the effective policy holds as it is: the environment's creation or the latest change to its default or override. */
  since: Date;
  policy: Policy;
  /** Whether the environment overrides any field of its organization's default. */
  overridden: boolean;
};

/**
 * Every environment's effective policy in two queries (the org defaults, then the environments with their
 * overrides), for the scheduler, compliance and the dashboard, which look at all environments at once.
 */
export async function loadEnvironmentPolicies(db: DbOrTx, scope: { orgId?: string } = {}): Promise<EnvironmentPolicy[]> {
  const defaultsWhere: SQL[] = [isNull(backupPolicies.environmentId)];
  if (scope.orgId) defaultsWhere.push(eq(backupPolicies.orgId, scope.orgId));
  const defaults = new Map<string, { policy: Policy; updatedAt: Date }>();
  for (const row of await db.select().from(backupPolicies).where(and(...defaultsWhere))) {
    defaults.set(row.orgId, { policy: { ...BUILT_IN_POLICY, ...toOverride(row) }, updatedAt: row.updatedAt });
  }
  const rows = await db
    .select({
      environmentId: environments.id,
      orgId: environments.orgId,
      projectId: environments.projectId,
      environmentName: environments.name,
      projectName: projects.name,
      createdAt: environments.createdAt,
      override: backupPolicies,
    })
    .from(environments)
    .innerJoin(projects, eq(projects.id, environments.projectId))
    .leftJoin(backupPolicies, eq(backupPolicies.environmentId, environments.id))
    .where(scope.orgId ? eq(environments.orgId, scope.orgId) : undefined);
  return rows.map(({ override, ...env }) => {
    const own = toOverride(override);
    const orgDefault = defaults.get(env.orgId);
    const since = Math.max(env.createdAt.getTime(), orgDefault?.updatedAt.getTime() ?? 0, override?.updatedAt.getTime() ?? 0);
    return { ...env, since: new Date(since), policy: effectivePolicy(orgDefault?.policy ?? BUILT_IN_POLICY, own).policy, overridden: Object.keys(own).length > 0 };
  });
}
