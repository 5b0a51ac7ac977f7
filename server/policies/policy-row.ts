import { backupPolicies } from "@/server/db/schema";
import type { PolicyOverride } from "./policy-fields";

/** The columns of a `backup_policies` row that hold policy fields, for selects that need no more. */
export const policyColumns = {
  enabled: backupPolicies.enabled,
  schedule: backupPolicies.schedule,
  timezone: backupPolicies.timezone,
  storageLocationId: backupPolicies.storageLocationId,
  includeFilestore: backupPolicies.includeFilestore,
  filestoreLayout: backupPolicies.filestoreLayout,
  keepDaily: backupPolicies.keepDaily,
  keepWeekly: backupPolicies.keepWeekly,
  keepMonthly: backupPolicies.keepMonthly,
  keepYearly: backupPolicies.keepYearly,
  notifyOnSuccess: backupPolicies.notifyOnSuccess,
  notifyOnFailure: backupPolicies.notifyOnFailure,
  notificationChannelIds: backupPolicies.notificationChannelIds,
  copyStorageLocationIds: backupPolicies.copyStorageLocationIds,
  encrypt: backupPolicies.encrypt,
  drill: backupPolicies.drill,
  spreadMinutes: backupPolicies.spreadMinutes,
  retries: backupPolicies.retries,
};

type PolicyColumns = Pick<typeof backupPolicies.$inferSelect, "enabled" | "schedule" | "timezone" | "storageLocationId" | "includeFilestore" | "filestoreLayout" | "keepDaily" | "keepWeekly" | "keepMonthly" | "keepYearly" | "notifyOnSuccess" | "notifyOnFailure" | "notificationChannelIds" | "copyStorageLocationIds" | "encrypt" | "drill" | "spreadMinutes" | "retries">;

/** The columns of a policy row from a (partial) policy: unset fields stay null, which means "inherit". */
export function toColumns(p: PolicyOverride) {
  return {
    enabled: p.enabled ?? null,
    schedule: p.schedule ?? null,
    timezone: p.timezone ?? null,
    storageLocationId: p.storageLocationId ?? null,
    includeFilestore: p.includeFilestore ?? null,
    filestoreLayout: p.filestoreLayout ?? null,
    keepDaily: p.retention?.daily ?? null,
    keepWeekly: p.retention?.weekly ?? null,
    keepMonthly: p.retention?.monthly ?? null,
    keepYearly: p.retention?.yearly ?? null,
    notifyOnSuccess: p.notifyOnSuccess ?? null,
    notifyOnFailure: p.notifyOnFailure ?? null,
    notificationChannelIds: p.notificationChannelIds ?? null,
    copyStorageLocationIds: p.copies ?? null,
    encrypt: p.encrypt ?? null,
    drill: p.drill ?? null,
    spreadMinutes: p.spreadMinutes ?? null,
    retries: p.retries ?? null,
  };
}

/** The fields a stored policy row sets; a missing row sets none. */
export function toOverride(row: PolicyColumns | undefined | null): PolicyOverride {
  if (!row) return {};
  const o: PolicyOverride = {};
  if (row.enabled !== null) o.enabled = row.enabled;
  if (row.schedule !== null) o.schedule = row.schedule;
  if (row.timezone !== null) o.timezone = row.timezone;
  // An override row stores a storage location only when it overrides that field.
  if (row.storageLocationId !== null) o.storageLocationId = row.storageLocationId;
  if (row.includeFilestore !== null) o.includeFilestore = row.includeFilestore;
  if (row.filestoreLayout !== null) o.filestoreLayout = row.filestoreLayout;
  if (row.keepDaily !== null && row.keepWeekly !== null && row.keepMonthly !== null && row.keepYearly !== null) {
    o.retention = { daily: row.keepDaily, weekly: row.keepWeekly, monthly: row.keepMonthly, yearly: row.keepYearly };
  }
  if (row.notifyOnSuccess !== null) o.notifyOnSuccess = row.notifyOnSuccess;
  if (row.notifyOnFailure !== null) o.notifyOnFailure = row.notifyOnFailure;
  if (row.notificationChannelIds !== null) o.notificationChannelIds = row.notificationChannelIds;
  if (row.copyStorageLocationIds !== null) o.copies = row.copyStorageLocationIds;
  if (row.encrypt !== null) o.encrypt = row.encrypt;
  if (row.drill !== null) o.drill = row.drill;
  if (row.spreadMinutes !== null) o.spreadMinutes = row.spreadMinutes;
  if (row.retries !== null) o.retries = row.retries;
  return o;
}
