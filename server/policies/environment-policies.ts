import { and, eq, isNotNull, isNull, sql } from "drizzle-orm";
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
async function readEnvironmentPolicies(db: DbOrTx, scope: { orgId?: string }): Promise<EnvironmentPolicy[]> {
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
      // Archived environments (a catalog import's stand-ins) are never scheduled nor counted in compliance.
      .where(and(inScope(environments.orgId), isNull(environments.archivedAt))),
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

/**
 * What changes whenever any loaded value could: the number and latest edit of environments, projects and policy
 * rows (every row's updated_at moves on update; a deletion changes a count, and a deletion plus an insertion a
 * latest edit). One cheap query instead of decoding every environment again.
 */
async function policiesVersion(db: DbOrTx, orgId: string | undefined): Promise<string> {
  const org = (table: string) => (orgId ? sql`where ${sql.identifier(table)}.org_id = ${orgId}` : sql``);
  const [row] = await db.execute<{ version: string }>(sql`select concat_ws('|',
    (select count(*) || '@' || coalesce(max(updated_at)::text, '') from environments ${org("environments")}),
    (select count(*) || '@' || coalesce(max(updated_at)::text, '') from projects ${org("projects")}),
    (select count(*) || '@' || coalesce(max(updated_at)::text, '') from backup_policies ${org("backup_policies")})) as version`);
  return row!.version;
}

const cache = new WeakMap<object, Map<string, { version: string; policies: EnvironmentPolicy[] }>>();

/**
 * Every environment's effective policy (see `readEnvironmentPolicies`), reused while nothing it depends on has
 * changed: the scheduler reads them every minute and the dashboard on every view, and at thousands of
 * environments decoding them again is most of either's time. Callers must not modify the result.
 */
export async function loadEnvironmentPolicies(db: DbOrTx, scope: { orgId?: string } = {}): Promise<readonly EnvironmentPolicy[]> {
  const version = await policiesVersion(db, scope.orgId);
  const perDb = cache.get(db) ?? new Map<string, { version: string; policies: EnvironmentPolicy[] }>();
  cache.set(db, perDb);
  const key = scope.orgId ?? "*";
  const hit = perDb.get(key);
  if (hit?.version === version) return hit.policies;
  const policies = await readEnvironmentPolicies(db, scope);
  perDb.set(key, { version, policies });
  return policies;
}
