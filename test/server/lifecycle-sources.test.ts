import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "@safehold/plugin-api";
import type { ManagedServer, PluginConfig } from "@/server/plugins/contracts";
import { PluginHost } from "@/server/plugins/host";
import { manageServer } from "@/server/servers/managed-server";
import { createClientDatabase } from "../helpers/database";
import { BUILTIN_PLUGINS } from "../helpers/fixtures";
import { startMariaDb, type MariaDb } from "../helpers/mariadb";
import { asUser, databaseExists as mariaHas } from "../helpers/mysql-fixture";
import { databaseExists } from "../helpers/restore-env";

const host = new PluginHost(BUILTIN_PLUGINS);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-destroy-test-"));
let maria: MariaDb;
let connection: Awaited<ReturnType<Awaited<ReturnType<PluginHost["serverKind"]>>["connect"]>>;

/** This host under an admin's rules: only `tmp` allowed, and the given database pattern. */
function managed(databasePattern: string | null = null): ManagedServer {
  return manageServer(connection, { name: "this host", allowedRoots: [tmp], databasePattern, programs: {} });
}

async function destroy(source: "postgres" | "mysql", config: PluginConfig, server = managed()) {
  return (await host.source(source)).destroy!({ config, server, signal: new AbortController().signal, log: silentLogger });
}

beforeAll(async () => {
  maria = await startMariaDb();
  connection = await (await host.serverKind("local")).connect({});
}, 120_000);

afterAll(async () => {
  await connection?.close();
  await maria?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("destroy, per source", () => {
  it("postgres: drops the database, only one the server's pattern allows, and again is a no-op", async () => {
    const client = await createClientDatabase({ createdb: true });
    try {
      const config = { host: client.host, port: client.port, user: client.user, password: client.password, database: client.database };
      await expect(destroy("postgres", config, managed("other_*"))).rejects.toThrow(/not allowed|does not match|pattern/i);
      expect(await databaseExists(client.database)).toBe(true);
      expect(await destroy("postgres", config)).toEqual({ removed: [`database "${client.database}"`] });
      expect(await databaseExists(client.database)).toBe(false);
      expect(await destroy("postgres", config)).toEqual({ removed: [] });
    } finally {
      await client.drop();
    }
  });

  it("mysql: drops the database and its uploads folder, never a folder outside the allowed ones; again is a no-op", async () => {
    const database = `${maria.prefix}leaving`;
    asUser(maria, `CREATE DATABASE ${database}; CREATE TABLE ${database}.t (id int); INSERT INTO ${database}.t VALUES (1);`);
    const uploads = path.join(tmp, "crm", "upload");
    fs.mkdirSync(path.join(uploads, "contacts"), { recursive: true });
    fs.writeFileSync(path.join(uploads, "contacts", "photo.jpg"), "jpeg");
    const config = { host: maria.host, port: maria.port, user: maria.user, password: maria.password, database };

    const outside = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-not-allowed-"));
    try {
      await expect(destroy("mysql", { ...config, uploadsDir: outside })).rejects.toThrow(/allowed/);
      // Refused before anything was dropped.
      expect(fs.existsSync(outside)).toBe(true);
      expect(mariaHas(maria, database)).toBe(true);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }

    const withUploads = { ...config, uploadsDir: uploads };
    expect(await destroy("mysql", withUploads)).toEqual({ removed: [`database "${database}"`, `uploads folder ${uploads}`] });
    expect(mariaHas(maria, database)).toBe(false);
    expect(fs.existsSync(uploads)).toBe(false);
    expect(fs.existsSync(path.join(tmp, "crm"))).toBe(true);
    expect(await destroy("mysql", withUploads)).toEqual({ removed: [] });
  });
});
