import { and, eq, inArray, isNotNull, isNull, or } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { backupPolicies, environments, notificationChannels, projects, servers, storageLocations } from "@/server/db/schema";
import { isValidationError, NotFoundError, ValidationError } from "@/server/errors";
import { effectivePolicy } from "@/server/policies/effective-policy";
import { BUILT_IN_POLICY, MAX_POLICY_CHANNELS, POLICY_FIELDS, policyOverrideSchema, policySchema, type Policy, type PolicyOverride, type PutPolicyInput } from "@/server/policies/policy-fields";
import { toColumns, toOverride } from "@/server/policies/policy-row";
import { checkSchedule, checkStartWindow } from "@/server/policies/schedule";
import { nextEnvironmentSlots } from "@/server/schedules/environment-slot";
import { recordActivity } from "./activity";
import { findEnvironment } from "./environments";
import { ensureOrganizationKey } from "./organization-keys";

export const policyOutput = policySchema.extend({ nextRuns: z.array(z.string()) });
export const effectivePolicyOutput = z.object({
  policy: policyOutput,
  source: z.record(z.enum(POLICY_FIELDS), z.enum(["organization", "environment"])),
});
export const putOverrideInput = policyOverrideSchema.extend({ id: z.uuid() });
export const checkScheduleInput = policySchema.pick({ schedule: true, timezone: true });
export const checkScheduleOutput = z.object({ nextRuns: z.array(z.string()) });
export const bulkOverrideInput = z.object({
  environmentIds: z.array(z.uuid()).min(1, "Choose at least one environment").max(500),
  override: policyOverrideSchema.refine((o) => Object.values(o).some((v) => v !== undefined), "Choose at least one field to set"),
});
export const bulkOverrideOutput = z.object({ items: z.array(z.object({ environmentId: z.string(), override: policyOverrideSchema })) });

/** A policy with its next runs: the schedule's, or for an environment its own slots within the start window. */
function withNextRuns(policy: Policy, environmentId?: string) {
  const nextRuns = environmentId ? nextEnvironmentSlots(policy, environmentId, new Date(), 3) : checkSchedule(policy.schedule, policy.timezone);
  return { ...policy, nextRuns: nextRuns.map((d) => d.toISOString()) };
}

/** A schedule and its start window, checked together (see `checkSchedule`, `checkStartWindow`). */
function checkTiming(policy: Policy) {
  checkSchedule(policy.schedule, policy.timezone);
  checkStartWindow(policy);
}

async function assertStorageInOrg(db: DbOrTx, actor: Principal, id: string | null | undefined) {
  if (!id) return;
  const [row] = await db.select({ id: storageLocations.id }).from(storageLocations).where(and(eq(storageLocations.id, id), eq(storageLocations.orgId, actor.orgId)));
  if (!row) throw new NotFoundError("Storage location");
}

async function assertChannelsInOrg(db: DbOrTx, actor: Principal, ids: string[] | undefined) {
  const wanted = [...new Set(ids ?? [])];
  if (wanted.length === 0) return;
  const rows = await db.select({ id: notificationChannels.id }).from(notificationChannels).where(and(eq(notificationChannels.orgId, actor.orgId), inArray(notificationChannels.id, wanted)));
  if (rows.length !== wanted.length) throw new NotFoundError("Notification channel");
}

/** The location a policy stores backups in: its own, or the organization's default location. */
async function primaryLocationId(db: DbOrTx, orgId: string, storageLocationId: string | null): Promise<string | null> {
  if (storageLocationId) return storageLocationId;
  const [row] = await db.select({ id: storageLocations.id }).from(storageLocations).where(and(eq(storageLocations.orgId, orgId), eq(storageLocations.isDefault, true)));
  return row?.id ?? null;
}

/** Second copies go to distinct locations of the organization, none of them the one the backups are stored in. */
async function assertCopiesValid(db: DbOrTx, actor: Principal, copies: string[] | undefined, storageLocationId: string | null, label = "") {
  if (!copies || copies.length === 0) return;
  const unique = [...new Set(copies)];
  if (unique.length !== copies.length) throw new ValidationError(`${label}Each location receives one copy: a location is chosen twice`, { copies: "A location is chosen twice" });
  const rows = await db.select({ id: storageLocations.id, name: storageLocations.name }).from(storageLocations).where(and(eq(storageLocations.orgId, actor.orgId), inArray(storageLocations.id, unique)));
  if (rows.length !== unique.length) throw new NotFoundError("Storage location");
  const primary = await primaryLocationId(db, actor.orgId, storageLocationId);
  const same = rows.find((r) => r.id === primary);
  if (same) throw new ValidationError(`${label}"${same.name}" already holds the backups: a second copy must go to another location`, { copies: "Choose locations other than the one backups are stored in" });
}

/** A drill's schedule must be valid cron (checked even while drills are off, so turning them on cannot fail later) and its server the organization's. */
async function assertDrillValid(db: DbOrTx, actor: Principal, drill: Policy["drill"] | undefined, timezone: string) {
  if (!drill) return;
  try {
    checkSchedule(drill.schedule, timezone);
  } catch (err) {
    if (isValidationError(err)) throw new ValidationError(`Restore drills: ${err.message}`, { "drill.schedule": Object.values(err.fields)[0] ?? err.message });
    throw err;
  }
  if (!drill.serverId) return;
  const [row] = await db.select({ id: servers.id }).from(servers).where(and(eq(servers.id, drill.serverId), eq(servers.orgId, actor.orgId)));
  if (!row) throw new NotFoundError("Server");
}

/** Environments that override the schedule (or time zone) but inherit the start window must fit the new window too. */
async function assertOverridesFitWindow(db: DbOrTx, actor: Principal, policy: Policy) {
  if (policy.spreadMinutes <= 0) return;
  const rows = await db
    .select({ schedule: backupPolicies.schedule, timezone: backupPolicies.timezone, environmentName: environments.name, projectName: projects.name })
    .from(backupPolicies)
    .innerJoin(environments, eq(environments.id, backupPolicies.environmentId))
    .innerJoin(projects, eq(projects.id, environments.projectId))
    .where(and(eq(backupPolicies.orgId, actor.orgId), isNull(backupPolicies.spreadMinutes), or(isNotNull(backupPolicies.schedule), isNotNull(backupPolicies.timezone))));
  for (const row of rows) {
    try {
      checkStartWindow({ schedule: row.schedule ?? policy.schedule, timezone: row.timezone ?? policy.timezone, spreadMinutes: policy.spreadMinutes });
    } catch (err) {
      if (isValidationError(err)) throw new ValidationError(`${row.projectName} / ${row.environmentName} (its own schedule): ${err.message}`, err.fields);
      throw err;
    }
  }
}

async function orgDefaultRow(db: DbOrTx, orgId: string) {
  const [row] = await db.select().from(backupPolicies).where(and(eq(backupPolicies.orgId, orgId), isNull(backupPolicies.environmentId)));
  return row;
}

async function saveOrgDefault(db: DbOrTx, orgId: string, policy: Policy) {
  const existing = await orgDefaultRow(db, orgId);
  if (existing) await db.update(backupPolicies).set(toColumns(policy)).where(eq(backupPolicies.id, existing.id));
  else await db.insert(backupPolicies).values({ orgId, environmentId: null, ...toColumns(policy) });
}

/**
 * Makes a channel hear of failures under the organization's default policy: it joins the default's channels and
 * failure notifications are turned on. Environments that override their channels keep their own.
 */
export async function addDefaultFailureChannel(db: DbOrTx, actor: Principal, channel: { id: string; name: string }) {
  const current = await orgDefaultPolicy(db, actor.orgId);
  const channels = [...new Set([...current.notificationChannelIds, channel.id])];
  if (channels.length > MAX_POLICY_CHANNELS) {
    throw new ValidationError(`The default policy already names ${MAX_POLICY_CHANNELS} channels: remove one there first, or add this channel without making it the default for failures`, {
      defaultForFailures: `The default policy names ${MAX_POLICY_CHANNELS} channels already`,
    });
  }
  await saveOrgDefault(db, actor.orgId, { ...current, notifyOnFailure: true, notificationChannelIds: channels });
  await recordActivity(db, actor, { action: "policy.update", targetType: "organization", targetId: actor.orgId, message: `Default backup policy: failures are sent to "${channel.name}"` });
}

/** The organization's default policy: the saved one, or the built-in default until one is saved. */
export async function orgDefaultPolicy(db: DbOrTx, orgId: string): Promise<Policy> {
  return { ...BUILT_IN_POLICY, ...toOverride(await orgDefaultRow(db, orgId)) };
}

export async function getOrgPolicy(db: DbOrTx, actor: Principal) {
  return withNextRuns(await orgDefaultPolicy(db, actor.orgId));
}

/**
 * Replaces the organization's default; every environment that inherits a field follows at once. A field the
 * input leaves out (one added after v1, which older clients do not send) keeps its stored value.
 */
export async function putOrgPolicy(db: DbOrTx, actor: Principal, input: PutPolicyInput) {
  const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<Policy>;
  const policy: Policy = { ...(await orgDefaultPolicy(db, actor.orgId)), ...given };
  checkTiming(policy);
  await assertOverridesFitWindow(db, actor, policy);
  await assertStorageInOrg(db, actor, policy.storageLocationId);
  await assertChannelsInOrg(db, actor, policy.notificationChannelIds);
  await assertCopiesValid(db, actor, policy.copies, policy.storageLocationId);
  await assertDrillValid(db, actor, policy.drill, policy.timezone);
  await saveOrgDefault(db, actor.orgId, policy);
  // Encryption turned on: the organization gets its key now, so its owners can save the recovery kit before a backup uses it.
  if (policy.encrypt) await ensureOrganizationKey(db, actor.orgId);
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
  checkTiming(policy);
  await assertStorageInOrg(db, actor, override.storageLocationId);
  await assertChannelsInOrg(db, actor, override.notificationChannelIds);
  // Inherited copies are not checked here: a backup never copies to its own location (see queueBackupCopies).
  await assertCopiesValid(db, actor, override.copies, policy.storageLocationId);
  await assertDrillValid(db, actor, override.drill, policy.timezone);
  const existing = await overrideRow(db, environmentId);
  if (existing) await db.update(backupPolicies).set(toColumns(override)).where(eq(backupPolicies.id, existing.id));
  else await db.insert(backupPolicies).values({ orgId: actor.orgId, environmentId, ...toColumns(override) });
  if (policy.encrypt) await ensureOrganizationKey(db, actor.orgId);
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
  return { policy: withNextRuns(policy, environmentId), source };
}

/** An environment's effective policy, for jobs that act without a member (notifications). */
export async function effectivePolicyFor(db: DbOrTx, orgId: string, environmentId: string): Promise<Policy> {
  return effectivePolicy(await orgDefaultPolicy(db, orgId), toOverride(await overrideRow(db, environmentId))).policy;
}

/** The next five runs of a schedule in its time zone, or a ValidationError saying what is wrong with it: the editors' live preview. */
export function previewSchedule(input: z.infer<typeof checkScheduleInput>) {
  return { nextRuns: checkSchedule(input.schedule, input.timezone, 5).map((d) => d.toISOString()) };
}

/**
 * Sets the given fields in the override of each environment, keeping the fields each one already overrides.
 * All or nothing: every environment must be the organization's and end up with a valid schedule.
 */
export async function bulkOverride(db: DbOrTx, actor: Principal, input: z.infer<typeof bulkOverrideInput>) {
  const ids = [...new Set(input.environmentIds)];
  const override = Object.fromEntries(Object.entries(input.override).filter(([, v]) => v !== undefined)) as PolicyOverride;
  const targets = await db
    .select({ id: environments.id, name: environments.name, projectName: projects.name, row: backupPolicies })
    .from(environments)
    .innerJoin(projects, eq(projects.id, environments.projectId))
    .leftJoin(backupPolicies, eq(backupPolicies.environmentId, environments.id))
    .where(and(eq(environments.orgId, actor.orgId), inArray(environments.id, ids)));
  if (targets.length !== ids.length) throw new NotFoundError(ids.length - targets.length === 1 ? "Environment" : `${ids.length - targets.length} of the environments`);
  await assertStorageInOrg(db, actor, override.storageLocationId);
  await assertChannelsInOrg(db, actor, override.notificationChannelIds);
  const orgDefault = await orgDefaultPolicy(db, actor.orgId);
  await assertDrillValid(db, actor, override.drill, override.timezone ?? orgDefault.timezone);
  const items = targets.map((target) => {
    const merged = { ...toOverride(target.row), ...override };
    const { policy } = effectivePolicy(orgDefault, merged);
    try {
      checkTiming(policy);
    } catch (err) {
      if (isValidationError(err)) throw new ValidationError(`${target.projectName} / ${target.name}: ${err.message}`, err.fields);
      throw err;
    }
    return { environmentId: target.id, override: merged, policy, label: `${target.projectName} / ${target.name}` };
  });
  for (const item of items) await assertCopiesValid(db, actor, item.override.copies, item.policy.storageLocationId, `${item.label}: `);
  // Only the columns of the fields given change on an existing override: what else it overrides stays.
  const set = Object.fromEntries(Object.entries(toColumns(override)).filter(([column]) => columnSetBy(column, override))) as Partial<ReturnType<typeof toColumns>>;
  await db.transaction(async (tx) => {
    await tx
      .insert(backupPolicies)
      .values(items.map((item) => ({ orgId: actor.orgId, environmentId: item.environmentId, ...toColumns(item.override) })))
      .onConflictDoUpdate({ target: backupPolicies.environmentId, set: { ...set, updatedAt: new Date() } });
    for (const item of items) {
      await recordActivity(tx, actor, { action: "policy.override", targetType: "environment", targetId: item.environmentId, targetLabel: item.label, message: `Bulk override: ${Object.keys(override).join(", ")}` });
    }
  });
  return { items: items.map(({ environmentId, override: o }) => ({ environmentId, override: o })) };
}

const RETENTION_COLUMNS = ["keepDaily", "keepWeekly", "keepMonthly", "keepYearly"];

function columnSetBy(column: string, override: PolicyOverride): boolean {
  return RETENTION_COLUMNS.includes(column) ? override.retention !== undefined : column in override;
}
