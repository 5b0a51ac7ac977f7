import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "@safehold/plugin-api";
import type { ManagedServer, PluginConfig, SourceContribution } from "@/server/plugins/contracts";
import { PluginHost } from "@/server/plugins/host";
import { manageServer } from "@/server/servers/managed-server";
import { BUILTIN_PLUGINS } from "../helpers/fixtures";
import { startMariaDb, type MariaDb } from "../helpers/mariadb";
import { createCrmDatabase, tableChecksums } from "../helpers/mysql-fixture";
import { makeUserDir, startSshd, type Sshd } from "../helpers/sshd";
import { artifactStream } from "@safehold/plugin-helpers";

const host = new PluginHost(BUILTIN_PLUGINS);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-mysql-ssh-"));
let maria: MariaDb;
let sshd: Sshd;
let remote: ManagedServer;
let local: ManagedServer;
let mysql: SourceContribution;
let uploads: string;

const signal = () => new AbortController().signal;
const configFor = (database: string, uploadsDir: string): PluginConfig => ({ host: maria.host, port: maria.port, user: maria.user, password: maria.password, database, uploadsDir });

beforeAll(async () => {
  maria = await startMariaDb();
  sshd = await startSshd({ user: "safehold-ssh-my" });
  createCrmDatabase(maria, "crm_remote", { bigRows: 20_000 });
  uploads = makeUserDir(sshd, "crm/upload");
  fs.writeFileSync(path.join(uploads, "readme.txt"), "uploads\n".repeat(500));
  fs.chownSync(path.join(uploads, "readme.txt"), sshd.uid, sshd.gid);
  remote = manageServer(await (await host.serverKind("ssh")).connect(sshd.config), { name: "remote", allowedRoots: [sshd.home], databasePattern: null, programs: {} });
  local = manageServer(await (await host.serverKind("local")).connect({}), { name: "this host", allowedRoots: [tmp], databasePattern: null, programs: {} });
  mysql = await host.source("mysql");
}, 300_000);

afterAll(async () => {
  await remote?.close();
  await maria?.stop();
  await sshd?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

// The test sshd needs root (it creates the SSH user) and openssh-server, which .ci/run installs.
describe("mysql source over SSH", () => {
  it("gzips the dump and the uploads tar on the server, and the backup restores to identical tables", async () => {
    const backup = await mysql.backup({ config: configFor("crm_remote", uploads), server: remote, includeFilestore: true, signal: signal(), log: silentLogger });
    const files: Record<string, string> = {};
    for await (const artifact of backup.artifacts) {
      expect("encoding" in artifact && artifact.encoding).toBe("gzip");
      files[artifact.kind] = path.join(tmp, `${artifact.kind}.gz`);
      await pipeline(artifactStream(artifact), fs.createWriteStream(files[artifact.kind]!));
    }
    // What crossed the link is far smaller than the dump it holds.
    const dumpSize = fs.statSync(files.database!).size;
    await pipeline(fs.createReadStream(files.database!), createGunzip(), fs.createWriteStream(path.join(tmp, "database.sql")));
    expect(dumpSize * 2).toBeLessThan(fs.statSync(path.join(tmp, "database.sql")).size);

    const target = path.join(tmp, "copy", "upload");
    const restoreId = randomUUID();
    const staged = await mysql.restore!({ config: configFor("crm_copy", target), server: local, restoreId, includeFiles: true, targetIsNew: true, signal: signal(), log: silentLogger });
    await staged.loadDatabase(fs.createReadStream(files.database!).pipe(createGunzip()));
    await staged.loadFiles(fs.createReadStream(files.filestore!).pipe(createGunzip()));
    await staged.prepare({ newIdentity: false, neutralize: false, erasedSubjects: [] });
    await staged.swap();
    expect(tableChecksums(maria, "crm_copy")).toEqual(tableChecksums(maria, "crm_remote"));
    expect(fs.readFileSync(path.join(target, "readme.txt"), "utf8")).toBe("uploads\n".repeat(500));
  });

  it("restores over SSH by sending the gzip dump, which the server decompresses into the client", async () => {
    const backup = await mysql.backup({ config: configFor("crm_remote", uploads), server: remote, includeFilestore: false, signal: signal(), log: silentLogger });
    const file = path.join(tmp, "again.sql.gz");
    for await (const artifact of backup.artifacts) await pipeline(artifactStream(artifact), fs.createWriteStream(file));
    const target = path.join(makeUserDir(sshd, "copy2"), "upload");
    const staged = await mysql.restore!({ config: configFor("crm_over_ssh", target), server: remote, restoreId: randomUUID(), includeFiles: false, targetIsNew: true, signal: signal(), log: silentLogger });
    expect(await staged.compressedInput!("database")).toBe("gzip");
    await staged.loadDatabase(fs.createReadStream(file));
    await staged.prepare({ newIdentity: false, neutralize: false, erasedSubjects: [] });
    await staged.swap();
    expect(tableChecksums(maria, "crm_over_ssh")).toEqual(tableChecksums(maria, "crm_remote"));
  });

  it("refuses a compressed dump that is cut short, even though the server could decompress what came", async () => {
    const whole = fs.readFileSync(path.join(tmp, "database.sql"));
    const cut = path.join(tmp, "cut.sql.gz");
    await pipeline(Readable.from([whole.subarray(0, Math.floor(whole.length / 2))]), createGzip(), fs.createWriteStream(cut));
    const staged = await mysql.restore!({ config: configFor("crm_cut", path.join(sshd.home, "cut")), server: remote, restoreId: randomUUID(), includeFiles: false, targetIsNew: true, signal: signal(), log: silentLogger });
    expect(await staged.compressedInput!("database")).toBe("gzip");
    await expect(staged.loadDatabase(fs.createReadStream(cut))).rejects.toThrow("The database dump is incomplete");
    await staged.discard();
  });
});
