import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { retireManifestKey } from "@/server/backups/manifest-keys";
import { keyFilePath, keyIdOf, masterKeyFromText, readKeyFile } from "@/server/crypto/secret-key";
import { resealAll } from "@/server/db/reseal-secrets";
import { readEnv } from "@/server/env";
import { isDomainError } from "@/server/errors";
import { countLiveWorkers } from "@/server/jobs/worker-presence";
import { readSecret } from "../read-secret";
import { withDatabase } from "./with-database";

const USAGE = `Usage:
  SAFEHOLD_SECRET_KEY=<new key> safehold secrets rotate-key     the old key is read once, from a prompt or standard input
  safehold secrets rotate-key --generate                         for a console keyed by data/secret.key (no SAFEHOLD_SECRET_KEY)`;

/** The old and the new master key, and the key file to replace once the database is committed (--generate). */
type Rotation = { from: Buffer; to: Buffer; keyFile?: string };

async function planRotation(generate: boolean): Promise<Rotation> {
  const settings = readEnv();
  const file = keyFilePath(settings.dataDir);
  if (generate) {
    if (settings.secretKey) throw new Error(`--generate replaces data/secret.key, but this console is keyed by SAFEHOLD_SECRET_KEY: set that to the new key and run without --generate\n\n${USAGE}`);
    if (!fs.existsSync(file)) throw new Error(`${file} does not exist: there is no key file to rotate`);
    return { from: readKeyFile(file), to: randomBytes(32), keyFile: file };
  }
  if (!settings.secretKey) throw new Error(`Set SAFEHOLD_SECRET_KEY to the new key (or use --generate with data/secret.key)\n\n${USAGE}`);
  const old = await readSecret("old SAFEHOLD_SECRET_KEY (leave empty if the console used data/secret.key)", { allowEmpty: true });
  const from = old === "" ? readKeyFile(file) : masterKeyFromText(old);
  const to = masterKeyFromText(settings.secretKey);
  if (from.equals(to)) throw new Error("The old key and the new key are the same: nothing to rotate");
  return { from, to };
}

/** The new key file is written beside the old one before the database changes, so no commit can leave the key unwritten. */
function stageKeyFile(file: string, key: Buffer): void {
  fs.writeFileSync(`${file}.new`, `${key.toString("base64")}\n`, { mode: 0o600 });
  fs.chmodSync(`${file}.new`, 0o600);
}

function installKeyFile(file: string): void {
  fs.renameSync(file, `${file}.old`);
  fs.renameSync(`${file}.new`, file);
}

/**
 * `safehold secrets rotate-key`: every sealed secret re-encrypted under a new master key in one transaction (each
 * opened with the old key for its own row and column, sealed again, checked), and the old manifest-signing key kept
 * so existing backups still restore. Refuses while a console or worker runs against the database.
 */
export async function secretsRotateKeyCommand(options: { generate?: boolean }): Promise<void> {
  const rotation = await planRotation(options.generate === true);
  if (rotation.keyFile) stageKeyFile(rotation.keyFile, rotation.to);
  let counts: Record<string, number>;
  try {
    counts = await withDatabase(async (db) => {
      const running = await countLiveWorkers(db);
      if (running > 0) throw new Error(`${running} Safehold console or worker process(es) are running against this database: stop every one first (they hold the old key), then run rotate-key again`);
      return db.transaction(async (tx) => {
        const resealed = await resealAll(tx, rotation.from, rotation.to);
        await retireManifestKey(tx, rotation.from, rotation.to);
        return resealed;
      });
    });
  } catch (err) {
    if (rotation.keyFile) fs.rmSync(`${rotation.keyFile}.new`, { force: true });
    if (isDomainError(err, "stored_secret")) throw new Error(`The old key does not open every stored secret, so nothing was changed. ${err.message}`);
    throw err;
  }
  if (rotation.keyFile) installKeyFile(rotation.keyFile);

  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  console.log(`Re-encrypted ${total} stored secret(s) under key ${keyIdOf(rotation.to)} (was ${keyIdOf(rotation.from)}):`);
  for (const [place, count] of Object.entries(counts)) console.log(`  ${place}: ${count}`);
  if (rotation.keyFile) console.log(`Wrote the new key to ${rotation.keyFile}; the old one is in ${rotation.keyFile}.old (0600): delete it once the console runs with the new key.`);
  else console.log("Start every console and worker with the new SAFEHOLD_SECRET_KEY: with the old one they cannot open the secrets.");
  console.log("Backups taken until now still verify and restore: the old manifest-signing key is kept, encrypted under the new key, for them only.");
  console.log("Everyone is signed out (sessions were signed with the old key); API tokens keep working.");
  console.log("Download links made before now no longer work (they were signed with the old key): create new ones.");
}
