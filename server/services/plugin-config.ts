import { z } from "zod";
import type { ContributionKind, PluginConfig } from "@/server/plugins/contracts";
import { destinationFields, maskedConfig, restoreMaskedSecrets, splitSecrets, validateConfig, type StoredConfig } from "@/server/plugins/config-values";
import type { PluginHost } from "@/server/plugins/host";
import type { Sealed } from "@/server/crypto/secret-box";
import { openSecret, SEALED_COLUMNS, type SealedColumn } from "@/server/db/sealed-columns";
import { env } from "@/server/env";
import { isDomainError, ValidationError } from "@/server/errors";
import { blockedDestination, destinationHost } from "@/server/net/destination-policy";
import type { HostedStorageClient } from "@/server/plugins/conform";
import { FieldErrors } from "@/server/validation/field-errors";

export type { StoredConfig };

/** Refuses a configuration that would make the console reach a link-local or cloud metadata address. */
async function assertAllowedDestinations(schema: Parameters<typeof destinationFields>[0], config: PluginConfig, prefix: string): Promise<void> {
  const fields: Record<string, string> = {};
  for (const { name, value, format } of destinationFields(schema, config)) {
    const host = destinationHost(value, format);
    const why = host && (await blockedDestination(host, env().allowLinkLocal));
    if (why) fields[`${prefix}.${name}`] = why;
  }
  if (Object.keys(fields).length > 0) throw new ValidationError(Object.values(fields)[0]!, fields);
}

/**
 * The one path by which servers, environments, storage locations and notification channels take a plugin
 * configuration: masked secrets are put back (only while the configuration still points where they were
 * stored for), the whole is validated against the contribution's schema, its network destinations checked,
 * then it is split into the plain part (jsonb) and the secret part (encrypted column).
 */
/**
 * The connection fields of a configuration that is not stored (e.g. what a discovery needs): validated field by
 * field, without `required`, and its network destinations checked.
 */
export async function takePartialConfig(plugins: PluginHost, kind: ContributionKind, contributionId: string, incoming: PluginConfig, options: { kindField: string; configField: string }): Promise<PluginConfig> {
  const { configSchema } = plugins.contribution(kind, contributionId, options.kindField);
  const value = validateConfig(configSchema, incoming, options.configField, { partial: true });
  await assertAllowedDestinations(configSchema, value, options.configField);
  return value;
}

export async function takeConfig(
  plugins: PluginHost,
  kind: ContributionKind,
  contributionId: string,
  incoming: PluginConfig,
  stored: StoredConfig | undefined,
  options: { kindField: string; configField: string },
): Promise<{ full: PluginConfig; config: PluginConfig; secrets: PluginConfig }> {
  const { configSchema } = plugins.contribution(kind, contributionId, options.kindField);
  // A secret to type again and invalid settings are reported together.
  const errors = new FieldErrors();
  const withSecrets = stored ? ((await errors.check(() => restoreMaskedSecrets(configSchema, incoming, stored, options.configField))) ?? incoming) : incoming;
  const full = await errors.check(() => validateConfig(configSchema, withSecrets, options.configField));
  errors.throwIfAny();
  await assertAllowedDestinations(configSchema, full!, options.configField);
  return { full: full!, ...splitSecrets(configSchema, full!) };
}

/** The configuration as it may leave the server: secrets masked. A contribution that is gone shows its plain part only. */
export function presentConfig(plugins: PluginHost, kind: ContributionKind, contributionId: string, config: PluginConfig, secrets: PluginConfig): PluginConfig {
  try {
    return maskedConfig(plugins.contribution(kind, contributionId).configSchema, config, secrets);
  } catch {
    return { ...config };
  }
}

/** A stored row's whole configuration: its plain settings with its secrets, opened for that row (StoredSecretError if they do not open). */
export function storedConfig(column: SealedColumn<PluginConfig>, rowId: string, config: PluginConfig, sealed: Sealed): PluginConfig {
  return { ...config, ...openSecret(column, rowId, sealed) };
}

/**
 * The secrets of a stored row as far as they open here: none when they do not (another key, another row's value).
 * What a form shows (masked) and an edit keeps, so an admin can type unreadable secrets again; using them goes
 * through `storedConfig`, which refuses.
 */
export function readableSecrets(column: SealedColumn<PluginConfig>, rowId: string, sealed: Sealed): PluginConfig {
  try {
    return openSecret(column, rowId, sealed);
  } catch (err) {
    if (isDomainError(err, "stored_secret")) return {};
    throw err;
  }
}

/** A plugin configuration as the API takes and returns it (secrets masked on the way out). */
export const configRecord = z.record(z.string(), z.unknown());

/** What every "Test connection" answers. */
export const testResultOutput = z.object({ ok: z.boolean(), message: z.string() });

/**
 * A test's answer with the plugin's `details` for the operator: e.g. `details.pin`, a value (such as a host key
 * fingerprint) the form offers to write into a config field once the operator confirms it.
 */
export const testResultWithDetails = testResultOutput.extend({ details: configRecord.optional() });

/** An environment's whole source configuration, its secrets opened for it: what a backup, a restore or a test uses. */
export function environmentSourceConfig(environment: { id: string; sourceConfig: PluginConfig; sourceSecrets: Sealed }): PluginConfig {
  return storedConfig(SEALED_COLUMNS.environmentSourceSecrets, environment.id, environment.sourceConfig, environment.sourceSecrets);
}

/** A client for a stored storage location, through its provider plugin (activated on first use). */
export async function openStorage(plugins: PluginHost, location: { id: string; provider: string; config: PluginConfig; secrets: Sealed }): Promise<HostedStorageClient> {
  const config = storedConfig(SEALED_COLUMNS.storageLocationSecrets, location.id, location.config, location.secrets);
  return (await plugins.storageProvider(location.provider)).create(config);
}
