import { and, eq, isNotNull, isNull } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import { backupPolicies, environments, projects } from "@/server/db/schema";
import { effectivePolicy } from "./effective-policy";
import { BUILT_IN_POLICY, type Policy } from "./policy-fields";
import { policyColumns, toOverride } from "./policy-row";

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
 * Every environment's effective policy in three queries run together (the org defaults, the overrides, the
 * environments), for the scheduler, compliance and the dashboard, which look at all environments at once.
 */
export async function loadEnvironmentPolicies(db: DbOrTx, scope: { orgId?: string } = {}): Promise<EnvironmentPolicy[]> {
  const inScope = (column: typeof backupPolicies.orgId | typeof environments.orgId) => (scope.orgId ? eq(column, scope.orgId) : undefined);
  const [defaultRows, overrideRows, rows] = await Promise.all([
    db.select().from(backupPolicies).where(and(isNull(backupPolicies.environmentId), inScope(backupPolicies.orgId))),
    // Overrides apart from environments, with only the columns a policy needs: this runs over every environment
    // each minute and on every dashboard view, and most environments inherit everything.
    db.select({ environmentId: backupPolicies.environmentId, updatedAt: backupPolicies.updatedAt, ...policyColumns }).from(backupPolicies).where(and(isNotNull(backupPolicies.environmentId), inScope(backupPolicies.orgId))),
    db
      .select({ environmentId: environments.id, orgId: environments.orgId, projectId: environments.projectId, environmentName: environments.name, projectName: projects.name, createdAt: environments.createdAt })
      .from(environments)
      .innerJoin(projects, eq(projects.id, environments.projectId))
      .where(inScope(environments.orgId)),
  ]);
  const defaults = new Map(defaultRows.map((row) => [row.orgId, { policy: { ...BUILT_IN_POLICY, ...toOverride(row) }, updatedAt: row.updatedAt }]));
  const overrides = new Map(overrideRows.map(({ environmentId, ...row }) => [environmentId!, row]));
  return rows.map((env) => {
    const override = overrides.get(env.environmentId);
    const own = toOverride(override);
    const orgDefault = defaults.get(env.orgId);
    const since = Math.max(env.createdAt.getTime(), orgDefault?.updatedAt.getTime() ?? 0, override?.updatedAt.getTime() ?? 0);
    return { ...env, since: new Date(since), policy: effectivePolicy(orgDefault?.policy ?? BUILT_IN_POLICY, own).policy, overridden: Object.keys(own).length > 0 };
  });
}
