import { readEnv } from "@/server/env";
import { disposePluginHost } from "@/server/plugins/host-registry";
import { onShutdown, reportReady, runUntilShutdown } from "@/server/runtime/shutdown";
import { startWeb } from "@/server/runtime/web";
import { PROJECT_ROOT } from "../project-root";

/**
 * `safehold web`: the web console alone, as `safehold start` runs it (or several behind a load balancer).
 * It neither migrates nor starts a database: this process imports no server module outside Next's build.
 */
export async function webCommand(): Promise<void> {
  const settings = readEnv();
  if (!settings.databaseUrl) throw new Error("safehold web needs DATABASE_URL; safehold start runs it with the embedded database");
  process.env.NEXTAUTH_URL ??= settings.publicUrl;
  const web = await startWeb({ root: PROJECT_ROOT, host: settings.host, port: settings.port });
  console.log(`[safehold] Web console listening on ${settings.host}:${settings.port}`);
  reportReady();
  onShutdown(async () => {
    await web.close();
    // The plugins run in Next's build; their host is reached through the registry every copy shares.
    await disposePluginHost();
  });
  return runUntilShutdown();
}
