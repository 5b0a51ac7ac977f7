import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "@/server/db/embedded";
import { migrateDatabase } from "@/server/db/migrate";
import { build, buildNeeded } from "@/server/runtime/build";
import { TEMPLATE_DATABASE } from "./database";

declare module "vitest" {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

const ROOT = path.resolve(import.meta.dirname, "../..");

let embedded: EmbeddedDatabase | undefined;
let dataDir: string | undefined;

/**
 * One PostgreSQL for the whole run: TEST_DATABASE_URL when set (CI may point it at the system server),
 * otherwise an embedded one in a temp dir. A migrated template database makes each test database cheap.
 */
export async function setup(project: TestProject) {
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-test-pg-"));
    embedded = await startEmbeddedDatabase(dataDir);
    adminUrl = embedded.url;
  }
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await sql.unsafe(`drop database if exists ${TEMPLATE_DATABASE} with (force)`);
  await sql.unsafe(`create database ${TEMPLATE_DATABASE}`);
  await sql.end();
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${TEMPLATE_DATABASE}`;
  await migrateDatabase(templateUrl.toString());
  const { makeWorkerUtils } = await import("graphile-worker");
  const utils = await makeWorkerUtils({ connectionString: templateUrl.toString() });
  await utils.migrate();
  await utils.release();

  // The plugin host loads built plugins; the browser tests run the built console.
  // SAFEHOLD_TEST_SKIP_BUILD=1 skips rebuilding the console when iterating on server tests only.
  if (process.env.SAFEHOLD_TEST_SKIP_BUILD) {
    execFileSync("npm", ["run", "build:plugins"], { cwd: ROOT, stdio: "ignore" });
  } else {
    const reason = buildNeeded(ROOT);
    if (reason) {
      console.log(`[test setup] building the console (${reason})...`);
      await build(ROOT);
    }
  }
  project.provide("adminDatabaseUrl", adminUrl);
}

export async function teardown() {
  await embedded?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
}
