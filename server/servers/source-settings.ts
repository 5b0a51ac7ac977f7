import type { servers } from "@/server/db/schema";
import { ValidationError } from "@/server/errors";
import type { PluginConfig } from "@/server/plugins/contracts";
import type { PluginHost } from "@/server/plugins/host";
import { sourcePolicy } from "./connect-server";
import { databaseProblem, lexicalFolderProblem } from "./server-policy";

/**
 * Checks, as a form is saved, the folders and databases a source configuration names against its server's rules
 * (lexically: where a path really leads is checked on the server before each use).
 */
export function assertSourceSettingsAllowed(plugins: PluginHost, sourceId: string, config: PluginConfig, server: typeof servers.$inferSelect, prefix: string): void {
  const policy = sourcePolicy(plugins, sourceId, server);
  const { configSchema } = plugins.contribution("sources", sourceId);
  const fields: Record<string, string> = {};
  for (const [name, field] of Object.entries(configSchema.properties)) {
    const value = config[name];
    if (typeof value !== "string" || value === "") continue;
    const problem = field.format === "server-path" ? lexicalFolderProblem(policy, value) : field.format === "database-name" ? databaseProblem(policy, value) : null;
    if (problem) fields[`${prefix}.${name}`] = problem;
  }
  if (Object.keys(fields).length > 0) throw new ValidationError(Object.values(fields).join("; "), fields);
}
