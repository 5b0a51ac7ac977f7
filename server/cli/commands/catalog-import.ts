import { eq } from "drizzle-orm";
import { storageLocations } from "@/server/db/schema";
import { importCatalog } from "@/server/catalog/import-catalog";
import { disposePluginHost } from "@/server/plugins/host-registry";
import { pluginHost } from "@/server/plugins/process-host";
import { withDatabase } from "./with-database";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `safehold catalog import --location <id>`: the Settings › Storage import, for a console whose web UI is not up yet. */
export async function catalogImportCommand(options: { location?: string }): Promise<void> {
  if (!options.location || !UUID.test(options.location)) throw new Error("Usage: safehold catalog import --location <storage location id>");
  const result = await withDatabase(async (db) => {
    const [location] = await db.select({ orgId: storageLocations.orgId }).from(storageLocations).where(eq(storageLocations.id, options.location!));
    if (!location) throw new Error(`No storage location has the id ${options.location}`);
    try {
      return await importCatalog(db, pluginHost(), { userId: null, orgId: location.orgId, role: "owner", label: "Safehold CLI", via: "cli" }, options.location!);
    } finally {
      await disposePluginHost();
    }
  });
  console.log(`${result.added} added, ${result.alreadyKnown} already known, ${result.foreign.length} foreign`);
  for (const f of result.foreign) console.log(`foreign: ${f.backupId} ${f.projectName} / ${f.environmentName} (${f.reason}): an admin trusts it in the console before it can be restored`);
  for (const s of result.skipped) console.log(`skipped: ${s.key}: ${s.reason}`);
}
