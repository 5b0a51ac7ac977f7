import { and, asc, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { backupPolicies, environments, projects } from "@/server/db/schema";
import { failuresReachNoOne, hasFailureChannel } from "@/server/notifications/failure-reach";
import { effectivePolicy } from "@/server/policies/effective-policy";
import { toOverride } from "@/server/policies/policy-row";
import { orgDefaultPolicy } from "./backup-policies";

/** How many environments a coverage answer names; `count` says how many there are in all. */
const NAMED = 20;

export const failureCoverageOutput = z.object({
  /** The organization's default policy: whether it notifies on failure and through how many channels. */
  defaultPolicy: z.object({
    notifyOnFailure: z.boolean(),
    channelCount: z.number(),
    /** It notifies on failure and names no channel. */
    reachesNoOne: z.boolean(),
    /** It sends failures to at least one channel: a new channel is not offered as the default for failures. */
    hasFailureChannel: z.boolean(),
  }),
  /** Active environments whose effective policy notifies on failure with no channel: their failures reach no one. */
  environments: z.object({
    count: z.number(),
    items: z.array(z.object({ id: z.string(), name: z.string(), projectId: z.string(), projectName: z.string() })),
  }),
});
export type FailureCoverage = z.infer<typeof failureCoverageOutput>;

/** Who hears of failed backups: the default policy and every active environment whose failures reach no one. */
export async function failureCoverage(db: DbOrTx, actor: Principal): Promise<FailureCoverage> {
  const orgDefault = await orgDefaultPolicy(db, actor.orgId);
  const rows = await db
    // The whole row: drizzle reads a picked set of a left-joined table's columns as null when its first one is null.
    .select({ id: environments.id, name: environments.name, projectId: projects.id, projectName: projects.name, override: backupPolicies })
    .from(environments)
    .innerJoin(projects, eq(projects.id, environments.projectId))
    .leftJoin(backupPolicies, eq(backupPolicies.environmentId, environments.id))
    .where(and(eq(environments.orgId, actor.orgId), isNull(environments.archivedAt)))
    .orderBy(asc(projects.name), asc(environments.name));
  // A left join without a policy row gives every column null: toOverride reads that as "inherits everything".
  const silent = rows.filter((row) => failuresReachNoOne(effectivePolicy(orgDefault, toOverride(row.override)).policy));
  return {
    defaultPolicy: {
      notifyOnFailure: orgDefault.notifyOnFailure,
      channelCount: orgDefault.notificationChannelIds.length,
      reachesNoOne: failuresReachNoOne(orgDefault),
      hasFailureChannel: hasFailureChannel(orgDefault),
    },
    environments: { count: silent.length, items: silent.slice(0, NAMED).map(({ id, name, projectId, projectName }) => ({ id, name, projectId, projectName })) },
  };
}
