import type { ExportFormatDeclaration } from "@safehold/plugin-api";
import type { PluginHost } from "@/server/plugins/host";
import { ValidationError } from "@/server/errors";

/** The export format `formatId` as the backup's source declares it; a ValidationError naming the formats it has. */
export function exportFormatOf(plugins: PluginHost, sourceId: string, formatId: string): ExportFormatDeclaration {
  const source = plugins.contribution("sources", sourceId);
  const declared = source.capabilities?.includes("export") ? (source.exports ?? []) : [];
  const format = declared.find((f) => f.id === formatId);
  if (!format) {
    const offered = declared.map((f) => `"${f.id}"`).join(", ");
    throw new ValidationError(`The "${sourceId}" source has no export format "${formatId}"${offered ? `; it offers ${offered}` : ": its backups download only as their stored files"}`, { format: "Not offered by this source" });
  }
  return format;
}

/** Whether the source can make an exported copy harmless (its restores' `neutralize` capability). */
export function canNeutralize(plugins: PluginHost, sourceId: string): boolean {
  return plugins.contribution("sources", sourceId).capabilities?.includes("neutralize") ?? false;
}

/** `{environment}-{date}.{extension}`, e.g. `production-2026-12-07.zip`, with only characters safe in a file name. */
export function exportFileName(environmentName: string, takenAt: Date, extension: string): string {
  const name = environmentName.normalize("NFKD").replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[-.]+|-+$/g, "") || "backup";
  return `${name}-${takenAt.toISOString().slice(0, 10)}.${extension}`;
}
