import fs from "node:fs";
import path from "node:path";
import { keyFilePath } from "@/server/crypto/secret-key";
import { clusterInfoPath } from "@/server/db/embedded";

/** Owner only, except traverse for others: as root the embedded PostgreSQL runs as `postgres` and must pass through. */
const DIR_ALLOWED = 0o701;
const FILE_MODE = 0o600;

function modeOf(file: string): number | undefined {
  try {
    return fs.statSync(file).mode & 0o777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

const octal = (mode: number) => mode.toString(8).padStart(4, "0");

/**
 * The data dir holds the secret key and the embedded database's password. It is created 0700, and at every start
 * it and those files are checked: anything that lets other users read or write them is fixed, and said in the log.
 */
export function secureDataDir(dataDir: string, log: (line: string) => void): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const dirMode = modeOf(dataDir)!;
  if ((dirMode & ~DIR_ALLOWED) !== 0) {
    const fixed = 0o700 | (dirMode & 0o001);
    fs.chmodSync(dataDir, fixed);
    log(`Warning: the data dir ${dataDir} was mode ${octal(dirMode)}, open to other users; changed it to ${octal(fixed)}`);
  }
  for (const file of [keyFilePath(dataDir), clusterInfoPath(dataDir)]) {
    const mode = modeOf(file);
    if (mode === undefined || mode === FILE_MODE) continue;
    fs.chmodSync(file, FILE_MODE);
    log(`Warning: ${path.basename(file)} in ${dataDir} was mode ${octal(mode)}; changed it to ${octal(FILE_MODE)} (it holds a secret)`);
  }
}
