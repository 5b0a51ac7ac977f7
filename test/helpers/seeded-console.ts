import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import type { Principal } from "@/server/auth/principal";
import { backups, restores } from "@/server/db/schema";
import { BUILT_IN_POLICY } from "@/server/policies/policy-fields";
import { putOrgPolicy } from "@/server/services/backup-policies";
import { createEnvironment } from "@/server/services/environments";
import { createProject } from "@/server/services/projects";
import { createServer } from "@/server/services/servers";
import { createStorageLocation } from "@/server/services/storage-locations";
import { startTestConsole, type ConsoleProcess } from "./console-process";
import { createTestDatabase, type TestDatabase } from "./database";
import { signedInPage } from "./browser";
import { builtinPluginHost, createOrgWithMembers, TEST_PASSWORD } from "./fixtures";

const HOUR = 3600_000;

export type SeededConsole = {
  t: TestDatabase;
  app: ConsoleProcess;
  owner: Principal;
  /** The project and environment with the most history (backups, a failure, a restore). */
  project: { id: string; name: string };
  environment: { id: string; name: string };
  stop: () => Promise<void>;
};

/**
 * A console with a small agency's data, made through the services and, for history the test does not wait for, as
 * rows a worker leaves: three clients (one with a long name), their environments, completed and failed backups, a
 * completed restore. Nothing comes due while the test runs: the schedule's window opens twelve hours from now (and
 * the environments point at a database that is not there).
 */
export async function startSeededConsole(name: string): Promise<SeededConsole> {
  const t = await createTestDatabase();
  const plugins = builtinPluginHost();
  const {
    principals: { owner },
  } = await createOrgWithMembers(t.db, name);
  const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-e2e-seeded-storage-"));
  const storage = await createStorageLocation(t.db, plugins, owner, { name: "Primary disk", provider: "local", config: { path: storageDir }, isDefault: true });
  const server = await createServer(t.db, plugins, owner, { name: "This host", kind: "local", config: {} });
  await putOrgPolicy(t.db, owner, { ...BUILT_IN_POLICY, schedule: `0 ${(new Date().getUTCHours() + 12) % 24} * * *`, spreadMinutes: 240 });
  const sourceConfig = { host: "127.0.0.1", port: 1, user: "odoo", password: "not-used", database: "clientdb" };
  const environment = (projectId: string, envName: string, stage: "production" | "staging" | "development") =>
    createEnvironment(t.db, plugins, owner, { projectId, serverId: server.id, name: envName, stage, source: "postgres", sourceConfig });

  const acme = await createProject(t.db, owner, { name: "Acme Industries International Holdings", description: "The biggest client: two environments, nightly backups." });
  const globex = await createProject(t.db, owner, { name: "Globex Corporation", description: "" });
  await createProject(t.db, owner, { name: "Initech", description: "" });
  const acmeProduction = await environment(acme.id, "Production", "production");
  await environment(acme.id, "Staging", "staging");
  const globexProduction = await environment(globex.id, "Production", "production");

  const now = Date.now();
  const backup = async (projectId: string, environmentId: string, status: "completed" | "failed", at: number, backupName = "") => {
    const [row] = await t.db
      .insert(backups)
      .values({
        orgId: owner.orgId,
        projectId,
        environmentId,
        storageLocationId: storage.id,
        type: backupName ? "manual" : "scheduled",
        name: backupName,
        status,
        retentionClass: "daily",
        verified: status === "completed",
        sizeBytes: status === "completed" ? 159_600_000 : null,
        error: status === "failed" ? "pg_dump was stopped by signal SIGKILL before the dump was complete" : null,
        failureKind: status === "failed" ? "source" : null,
        progress: { phase: status, bytes: 0, updatedAt: new Date(at).toISOString() },
        startedAt: new Date(at - 90_000),
        finishedAt: new Date(at),
        createdAt: new Date(at - 90_000),
      })
      .returning({ id: backups.id });
    return row!.id;
  };
  for (let day = 6; day >= 1; day--) await backup(acme.id, acmeProduction.id, "completed", now - day * 24 * HOUR);
  const beforeUpgrade = await backup(acme.id, acmeProduction.id, "completed", now - 5 * HOUR, "Before the upgrade to Odoo 18");
  await backup(acme.id, acmeProduction.id, "failed", now - 2 * HOUR);
  await backup(globex.id, globexProduction.id, "failed", now - 3 * HOUR);
  await t.db.insert(restores).values({
    orgId: owner.orgId,
    backupId: beforeUpgrade,
    sourceEnvironmentId: acmeProduction.id,
    target: "original",
    targetEnvironmentId: acmeProduction.id,
    status: "completed",
    requestedBy: owner.userId,
    progress: { phase: "completed", bytes: 0, updatedAt: new Date(now - 4 * HOUR).toISOString() },
    startedAt: new Date(now - 4 * HOUR - 60_000),
    finishedAt: new Date(now - 4 * HOUR),
    createdAt: new Date(now - 4 * HOUR - 90_000),
  });

  const app = await startTestConsole(t, "seeded");
  return {
    t,
    app,
    owner,
    project: { id: acme.id, name: acme.name },
    environment: { id: acmeProduction.id, name: acmeProduction.name },
    stop: async () => {
      await app.stop();
      await t.drop();
    },
  };
}

/** Every console page, by a short name (used in screenshot names) and its path. */
export function consolePages(seed: SeededConsole): Array<{ name: string; path: string }> {
  const environment = `/projects/${seed.project.id}/environments/${seed.environment.id}`;
  return [
    { name: "dashboard", path: "/" },
    { name: "projects", path: "/projects" },
    { name: "project", path: `/projects/${seed.project.id}` },
    { name: "environment", path: environment },
    { name: "environment-settings", path: `${environment}?tab=settings` },
    { name: "backups", path: "/backups" },
    { name: "activity", path: "/activity" },
    { name: "servers", path: "/servers" },
    { name: "plugins", path: "/plugins" },
    { name: "settings-policies", path: "/settings/backups" },
    { name: "settings-storage", path: "/settings/storage" },
    { name: "settings-encryption", path: "/settings/encryption" },
    { name: "settings-notifications", path: "/settings/notifications" },
    { name: "settings-members", path: "/settings/members" },
    { name: "settings-general", path: "/settings/general" },
    { name: "settings-account", path: "/settings/account" },
  ];
}

export type SeededBrowser = { seed: SeededConsole; browser: Browser; page: Page };

/** A seeded console with its owner signed in, in a 1280 × 900 page of a fresh browser. */
export async function openSeededConsole(name: string): Promise<SeededBrowser> {
  const seed = await startSeededConsole(name);
  return { seed, ...(await signedInPage(seed.app.url, seed.owner.label, TEST_PASSWORD)) };
}

/** Closes what `openSeededConsole` opened, whatever of it was opened. */
export async function closeSeededConsole(opened: Partial<SeededBrowser>): Promise<void> {
  await opened.browser?.close();
  await opened.seed?.stop();
}
