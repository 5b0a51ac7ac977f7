import { readEnv } from "@/server/env";
import { onShutdown, reportReady, runUntilShutdown } from "@/server/runtime/shutdown";
import { startWeb } from "@/server/runtime/web";
import { PROJECT_ROOT } from "../project-root";

/**
 * `safehold web`: the web console alone, as `safehold start` runs it (or several behind a load balancer).
 * It neither migrates nor starts a database: this process imports no server module outside Next's build.
 */
export async function webCommand(): Promise<void> {
  const config = readEnv();
  if (!config.databaseUrl) throw new Error("safehold web needs DATABASE_URL; safehold start runs it with the embedded database");
  process.env.NEXTAUTH_URL ??= config.publicUrl;
  const web = await startWeb({ root: PROJECT_ROOT, host: config.host, port: config.port });
  console.log(`[safehold] Web console listening on ${config.host}:${config.port}`);
  reportReady();
  onShutdown(() => web.close());
  return runUntilShutdown();
}
