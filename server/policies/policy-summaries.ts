import { and, eq, inArray, isNull, or } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/server/db";
import { backupPolicies } from "@/server/db/schema";
import { effectivePolicy } from "./effective-policy";
import { BUILT_IN_POLICY } from "./policy-fields";
import { toOverride } from "./policy-row";

/** What a list of environments shows of each one's effective policy. */
export const policySummary = z.object({
  enabled: z.boolean(),
  schedule: z.string(),
  timezone: z.string(),
  /** The environment overrides at least one field of the organization's default. */
  overridden: z.boolean(),
});
export type PolicySummary = z.infer<typeof policySummary>;

/** The policy summary of each of these environments of an organization, in one query (the org default and their overrides). */
export async function policySummaries(db: DbOrTx, orgId: string, environmentIds: string[]): Promise<Map<string, PolicySummary>> {
  if (environmentIds.length === 0) return new Map();
  const rows = await db
    .select()
    .from(backupPolicies)
    .where(and(eq(backupPolicies.orgId, orgId), or(isNull(backupPolicies.environmentId), inArray(backupPolicies.environmentId, environmentIds))));
  const orgDefault = { ...BUILT_IN_POLICY, ...toOverride(rows.find((r) => r.environmentId === null)) };
  const overrides = new Map(rows.filter((r) => r.environmentId !== null).map((r) => [r.environmentId!, toOverride(r)]));
  return new Map(
    environmentIds.map((id) => {
      const own = overrides.get(id) ?? {};
      const { policy } = effectivePolicy(orgDefault, own);
      return [id, { enabled: policy.enabled, schedule: policy.schedule, timezone: policy.timezone, overridden: Object.keys(own).length > 0 }];
    }),
  );
}
