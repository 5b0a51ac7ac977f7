import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { StorageTarget } from "./types";

export async function startLocalStorage(): Promise<StorageTarget> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-contract-local-"));
  return {
    provider: "local",
    config: { path: dir },
    badCredentials: null,
    unreachable: null,
    stop: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
