import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { backupPolicies, storageLocations } from "@/server/db/schema";
import { NotFoundError } from "@/server/errors";
import { effectivePolicy } from "@/server/policies/effective-policy";
import { BUILT_IN_POLICY, POLICY_FIELDS, policyOverrideSchema, policySchema, type Policy, type PolicyOverride } from "@/server/policies/policy-fields";
import { checkSchedule } from "@/server/policies/schedule";
import { recordActivity } from "./activity";
import { findEnvironment } from "./environments";

type PolicyRow = typeof backupPolicies.$inferSelect;

export const policyOutput = policySchema.extend({ nextRuns: z.array(z.string()) });
export const effectivePolicyOutput = z.object({
  policy: policyOutput,
  source: z.record(z.enum(POLICY_FIELDS), z.enum(["organization", "environment"])),
});
export const putOverrideInput = policyOverrideSchema.extend({ id: z.uuid() });

/** The columns of a policy row from a (partial) policy: unset fields stay null, which means "inherit". */
function toColumns(p: PolicyOverride) {
  return {
    enabled: p.enabled ?? null,
    schedule: p.schedule ?? null,
    timezone: p.timezone ?? null,
    storageLocationId: p.storageLocationId ?? null,
    includeFilestore: p.includeFilestore ?? null,
    keepDaily: p.retention?.daily ?? null,
    keepWeekly: p.retention?.weekly ?? null,
    keepMonthly: p.retention?.monthly ?? null,
    keepYearly: p.retention?.yearly ?? null,
    notifyOnSuccess: p.notifyOnSuccess ?? null,
    notifyOnFailure: p.notifyOnFailure ?? null,
    notificationChannelIds: p.notificationChannelIds ?? null,
  };
}

function toOverride(row: PolicyRow | undefined): PolicyOverride {
  if (!row) return {};
  const o: PolicyOverride = {};
  if (row.enabled !== null) o.enabled = row.enabled;
  if (row.schedule !== null) o.schedule = row.schedule;
  if (row.timezone !== null) o.timezone = row.timezone;
  // An override row stores a storage location only when it overrides that field.
  if (row.storageLocationId !== null) o.storageLocationId = row.storageLocationId;
  if (row.includeFilestore !== null) o.includeFilestore = row.includeFilestore;
  if (row.keepDaily !== null && row.keepWeekly !== null && row.keepMonthly !== null && row.keepYearly !== null) {
    o.retention = { daily: row.keepDaily, weekly: row.keepWeekly, monthly: row.keepMonthly, yearly: row.keepYearly };
  }
  if (row.notifyOnSuccess !== null) o.notifyOnSuccess = row.notifyOnSuccess;
  if (row.notifyOnFailure !== null) o.notifyOnFailure = row.notifyOnFailure;
  if (row.notificationChannelIds !== null) o.notificationChannelIds = row.notificationChannelIds;
  return o;
}

function withNextRuns(policy: Policy) {
  return { ...policy, nextRuns: checkSchedule(policy.schedule, policy.timezone).map((d) => d.toISOString()) };
}

async function assertStorageInOrg(db: DbOrTx, actor: Principal, id: string | null | undefined) {
  if (!id) return;
  const [row] = await db.select({ id: storageLocations.id }).from(storageLocations).where(and(eq(storageLocations.id, id), eq(storageLocations.orgId, actor.orgId)));
  if (!row) throw new NotFoundError("Storage location");
}

async function orgDefaultRow(db: DbOrTx, orgId: string) {
  const [row] = await db.select().from(backupPolicies).where(and(eq(backupPolicies.orgId, orgId), isNull(backupPolicies.environmentId)));
  return row;
}

/** The organization's default policy: the saved one, or the built-in default until one is saved. */
export async function orgDefaultPolicy(db: DbOrTx, orgId: string): Promise<Policy> {
  return { ...BUILT_IN_POLICY, ...toOverride(await orgDefaultRow(db, orgId)) };
}

export async function getOrgPolicy(db: DbOrTx, actor: Principal) {
  return withNextRuns(await orgDefaultPolicy(db, actor.orgId));
}

/** Replaces the organization's default; every environment that inherits a field follows at once. */
export async function putOrgPolicy(db: DbOrTx, actor: Principal, policy: Policy) {
  checkSchedule(policy.schedule, policy.timezone);
  await assertStorageInOrg(db, actor, policy.storageLocationId);
  const existing = await orgDefaultRow(db, actor.orgId);
  if (existing) await db.update(backupPolicies).set(toColumns(policy)).where(eq(backupPolicies.id, existing.id));
  else await db.insert(backupPolicies).values({ orgId: actor.orgId, environmentId: null, ...toColumns(policy) });
  await recordActivity(db, actor, { action: "policy.update", targetType: "organization", targetId: actor.orgId, message: `Default backup policy: ${policy.enabled ? `"${policy.schedule}" (${policy.timezone})` : "disabled"}` });
  return getOrgPolicy(db, actor);
}

async function overrideRow(db: DbOrTx, environmentId: string) {
  const [row] = await db.select().from(backupPolicies).where(eq(backupPolicies.environmentId, environmentId));
  return row;
}

export async function getOverride(db: DbOrTx, actor: Principal, environmentId: string): Promise<PolicyOverride> {
  await findEnvironment(db, actor, environmentId);
  return toOverride(await overrideRow(db, environmentId));
}

/** Sets an environment's override to exactly the fields given; the others inherit the organization's default. */
export async function putOverride(db: DbOrTx, actor: Principal, environmentId: string, override: PolicyOverride) {
  const environment = await findEnvironment(db, actor, environmentId);
  const { policy } = effectivePolicy(await orgDefaultPolicy(db, actor.orgId), override);
  checkSchedule(policy.schedule, policy.timezone);
  await assertStorageInOrg(db, actor, override.storageLocationId);
  const existing = await overrideRow(db, environmentId);
  if (existing) await db.update(backupPolicies).set(toColumns(override)).where(eq(backupPolicies.id, existing.id));
  else await db.insert(backupPolicies).values({ orgId: actor.orgId, environmentId, ...toColumns(override) });
  await recordActivity(db, actor, {
    action: "policy.override",
    targetType: "environment",
    targetId: environmentId,
    targetLabel: `${environment.projectName} / ${environment.environment.name}`,
    message: `Overrides: ${Object.keys(override).join(", ") || "none"}`,
  });
  return toOverride(await overrideRow(db, environmentId));
}

/** "Revert to organization default": the environment inherits every field again. */
export async function deleteOverride(db: DbOrTx, actor: Principal, environmentId: string) {
  const environment = await findEnvironment(db, actor, environmentId);
  await db.delete(backupPolicies).where(eq(backupPolicies.environmentId, environmentId));
  await recordActivity(db, actor, { action: "policy.revert", targetType: "environment", targetId: environmentId, targetLabel: `${environment.projectName} / ${environment.environment.name}` });
}

export async function getEffectivePolicy(db: DbOrTx, actor: Principal, environmentId: string) {
  await findEnvironment(db, actor, environmentId);
  const { policy, source } = effectivePolicy(await orgDefaultPolicy(db, actor.orgId), toOverride(await overrideRow(db, environmentId)));
  return { policy: withNextRuns(policy), source };
}
