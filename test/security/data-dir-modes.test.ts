import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startConsole } from "../helpers/console-process";

/**
 * The data dir holds the secret key and the embedded PostgreSQL's password (postgres.json). A console started the
 * way `npm start` starts it (embedded database) creates the dir owner-only, and at every start puts back mode 0600
 * on those files and takes other users' access off the dir, saying so in its log.
 */
const parent = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-modes-"));
const dataDir = path.join(parent, "data");
const mode = (file: string) => fs.statSync(file).mode & 0o777;

afterAll(() => fs.rmSync(parent, { recursive: true, force: true }));

describe("data dir and secret files", () => {
  it("a new data dir is created open to its owner only", async () => {
    const app = await startConsole({ SAFEHOLD_DATA_DIR: dataDir });
    await app.stop();
    // As root, the embedded PostgreSQL (run as `postgres`) may be given traverse (o+x): never read or write.
    expect(mode(dataDir) & 0o076).toBe(0);
    expect(mode(path.join(dataDir, "postgres.json"))).toBe(0o600);
  });

  it("files and dir loosened between two starts are fixed at the next start, with a warning in the log", async () => {
    fs.writeFileSync(path.join(dataDir, "secret.key"), `${randomBytes(32).toString("base64")}\n`);
    fs.chmodSync(path.join(dataDir, "secret.key"), 0o644);
    fs.chmodSync(path.join(dataDir, "postgres.json"), 0o644);
    fs.chmodSync(dataDir, 0o755);

    const app = await startConsole({ SAFEHOLD_DATA_DIR: dataDir });
    await app.stop();

    expect(app.logs()).toContain(`Warning: the data dir ${dataDir} was mode 0755, open to other users; changed it to 0701`);
    expect(app.logs()).toContain(`Warning: secret.key in ${dataDir} was mode 0644; changed it to 0600 (it holds a secret)`);
    expect(app.logs()).toContain(`Warning: postgres.json in ${dataDir} was mode 0644; changed it to 0600 (it holds a secret)`);
    expect(mode(path.join(dataDir, "secret.key"))).toBe(0o600);
    expect(mode(path.join(dataDir, "postgres.json"))).toBe(0o600);
    expect(mode(dataDir) & 0o076).toBe(0);
  });
});
