import { z } from "zod";
import type { ContributionKind, PluginConfig, StorageClient } from "@/server/plugins/contracts";
import { maskedConfig, restoreMaskedSecrets, splitSecrets, validateConfig } from "@/server/plugins/config-values";
import type { PluginHost } from "@/server/plugins/host";

/**
 * The one path by which servers, environments and storage locations take a plugin configuration:
 * masked secrets are put back, the whole is validated against the contribution's schema, then split
 * into the plain part (jsonb) and the secret part (encrypted column).
 */
export function prepareConfig(
  plugins: PluginHost,
  kind: ContributionKind,
  contributionId: string,
  incoming: PluginConfig,
  stored: { secrets: PluginConfig } | undefined,
  options: { kindField: string; configField: string },
): { full: PluginConfig; config: PluginConfig; secrets: PluginConfig } {
  const { configSchema } = plugins.contribution(kind, contributionId, options.kindField);
  const withSecrets = stored ? restoreMaskedSecrets(configSchema, incoming, stored.secrets) : incoming;
  const full = validateConfig(configSchema, withSecrets, options.configField);
  return { full, ...splitSecrets(configSchema, full) };
}

/** The configuration as it may leave the server: secrets masked. A contribution that is gone shows its plain part only. */
export function presentConfig(plugins: PluginHost, kind: ContributionKind, contributionId: string, config: PluginConfig, secrets: PluginConfig): PluginConfig {
  try {
    return maskedConfig(plugins.contribution(kind, contributionId).configSchema, config, secrets);
  } catch {
    return { ...config };
  }
}

export function fullConfig(config: PluginConfig, secrets: PluginConfig): PluginConfig {
  return { ...config, ...secrets };
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

/** A client for a stored storage location, through its provider plugin (activated on first use). */
export async function openStorage(plugins: PluginHost, location: { provider: string; config: PluginConfig; secrets: PluginConfig }): Promise<StorageClient> {
  return (await plugins.storageProvider(location.provider)).create(fullConfig(location.config, location.secrets));
}
