import fs from "node:fs";
import postgres from "postgres";
import { keyFilePath, masterKeyFromText, readKeyFile, resetKeyCache } from "@/server/crypto/secret-key";
import { readEnv } from "@/server/env";
import { disposePluginHost } from "@/server/plugins/host-registry";
import { pluginHost } from "@/server/plugins/process-host";
import { migrateDatabase } from "@/server/db/migrate";
import { openDatabase } from "@/server/runtime/database";
import type { ConsoleManifest } from "@/server/self-backup/console-manifest";
import { latestSelfBackup, loadSelfBackup } from "@/server/self-backup/load-self-backup";

const USAGE = "Usage: safehold recover --provider <storage provider> --config-file <location settings JSON> [--secret-key-file <file>] [--force]";

type Options = { provider?: string; "config-file"?: string; "secret-key-file"?: string; force?: boolean };

/**
 * The console's secret key: the key file kept aside, or SAFEHOLD_SECRET_KEY; and, for a key file, how to put it back
 * into the data dir (where the recovered console reads it) once the recovery succeeded.
 */
function secretKey(options: Options, dataDir: string, configured: string | undefined): { master: Buffer; install: () => void } {
  if (!options["secret-key-file"]) {
    if (!configured) throw new Error(`Give the console's secret key: --secret-key-file <file> (a copy of data/secret.key) or SAFEHOLD_SECRET_KEY\n${USAGE}`);
    return { master: masterKeyFromText(configured), install: () => {} };
  }
  const master = readKeyFile(options["secret-key-file"]);
  if (configured) {
    if (!masterKeyFromText(configured).equals(master)) throw new Error("SAFEHOLD_SECRET_KEY is set and is not the key in --secret-key-file: the recovered console would use SAFEHOLD_SECRET_KEY; give one of them");
    return { master, install: () => {} };
  }
  const target = keyFilePath(dataDir);
  if (fs.existsSync(target) && !readKeyFile(target).equals(master) && !options.force) throw new Error(`${target} holds another secret key: recover refuses to replace it (--force replaces it)`);
  return {
    master,
    install: () => {
      fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      fs.writeFileSync(target, `${master.toString("base64")}\n`, { mode: 0o600 });
      resetKeyCache();
    },
  };
}

/** Whether the database already holds a console, and empties it when `force` says to replace it. */
async function prepareDatabase(url: string, force: boolean): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [{ has }] = (await sql`select to_regclass('public.organizations') is not null as has`) as unknown as [{ has: boolean }];
    const [{ n }] = has ? ((await sql`select count(*)::int as n from organizations`) as unknown as [{ n: number }]) : [{ n: 0 }];
    if (n > 0 && !force) throw new Error(`The database already holds a Safehold console (${n} organization${n === 1 ? "" : "s"}): recover refuses to overwrite it (--force replaces it)`);
    await sql.unsafe("drop schema if exists graphile_worker cascade; drop schema if exists drizzle cascade; drop schema public cascade; create schema public");
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** The dump was taken while its own run was running: in the recovered catalog, that run completed with this file. */
async function recordRecoveredRun(url: string, manifest: ConsoleManifest): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`update self_backup_runs set status = 'completed', key = ${manifest.key}, size_bytes = ${manifest.size}, sha256 = ${manifest.sha256}, finished_at = now() where status = 'running'`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function summary(url: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const orgs = await sql<{ name: string }[]>`select name from organizations order by created_at`;
    const [counts] = await sql<{ backups: number; latest: Date | null }[]>`select count(*)::int as backups, max(finished_at) as latest from backups where status = 'completed'`;
    return { orgs: orgs.map((o) => o.name), backups: counts!.backups, latest: counts!.latest };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * `safehold recover`: brings a console with an empty data dir (or an empty DATABASE_URL database) back to its
 * latest self-backup in a storage location, given the console's secret key and that location's settings.
 */
export async function recoverCommand(options: Options): Promise<void> {
  if (!options.provider || !options["config-file"]) throw new Error(USAGE);
  const settings = readEnv();
  const { master, install } = secretKey(options, settings.dataDir, settings.secretKey);
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(fs.readFileSync(options["config-file"], "utf8")) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`Cannot read the location settings in ${options["config-file"]}: ${(err as Error).message}`);
  }
  const storage = (await pluginHost().storageProvider(options.provider)).create(config);
  const database = await openDatabase(settings, (line) => console.log(`[safehold] ${line}`));
  try {
    const manifest = await latestSelfBackup(storage, master);
    if (!manifest) throw new Error("No self-backup in this location verifies with this secret key: check the location's settings and the key");
    await prepareDatabase(database.url, Boolean(options.force));
    console.log(`Loading the self-backup of ${manifest.createdAt} (${manifest.key}, ${manifest.size} bytes, console ${manifest.consoleVersion})…`);
    await loadSelfBackup(storage, manifest, master, database.url);
    // Safehold's own migrations only: the job queue's schema is created when the console starts.
    await migrateDatabase(database.url);
    await recordRecoveredRun(database.url, manifest);
    install();
    const recovered = await summary(database.url);
    console.log(`Recovered the console as it was at ${manifest.createdAt}: ${recovered.orgs.length} organization(s) (${recovered.orgs.join(", ")}), ${recovered.backups} completed backup(s)${recovered.latest ? `, the latest from ${recovered.latest.toISOString()}` : ""}.`);
    console.log("Next: start the console (safehold start), then import the backups taken after this self-backup: Settings › Storage › Import backups, or safehold catalog import --location <id> for each storage location.");
  } finally {
    await storage.close();
    await disposePluginHost();
    await database.stop();
  }
}
