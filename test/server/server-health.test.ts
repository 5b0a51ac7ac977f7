import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { backups } from "@/server/db/schema";
import { getServerHealth } from "@/server/fleet/server-health";
import { BUILT_IN_POLICY } from "@/server/policies/policy-fields";
import { putOrgPolicy } from "@/server/services/backup-policies";
import { createProject } from "@/server/services/projects";
import { createServer } from "@/server/services/servers";
import { createBackupSetup, createPostgresEnvironment, pointProcessAtDatabase } from "../helpers/backup-env";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";

const HOUR = 3600_000;
const plugins = builtinPluginHost();
let t: TestDatabase;

type Org = { owner: Principal; viewer: Principal; setup: Awaited<ReturnType<typeof createBackupSetup>> };

async function newOrg(name: string): Promise<Org> {
  const { principals } = await createOrgWithMembers(t.db, name);
  const setup = await createBackupSetup(t.db, plugins, principals.owner);
  await putOrgPolicy(t.db, principals.owner, { ...BUILT_IN_POLICY, schedule: "0 2 * * *", timezone: "UTC" });
  return { owner: principals.owner, viewer: principals.viewer, setup };
}

async function environment(org: Org, server: { id: string }, name: string) {
  const project = await createProject(t.db, org.owner, { name, description: "" });
  return createPostgresEnvironment(t.db, plugins, org.owner, { project, server }, { host: "127.0.0.1", port: 1, user: "u", password: "p", database: "d" });
}

async function backup(org: Org, env: { id: string; projectId: string }, status: "completed" | "failed", hoursAgo: number) {
  const at = new Date(Date.now() - hoursAgo * HOUR);
  await t.db.insert(backups).values({
    orgId: org.owner.orgId,
    projectId: env.projectId,
    environmentId: env.id,
    storageLocationId: org.setup.storage.id,
    type: "scheduled",
    status,
    name: "",
    retentionClass: "daily",
    sizeBytes: status === "completed" ? 1000 : null,
    error: status === "failed" ? "it broke" : null,
    failureKind: status === "failed" ? "source" : null,
    startedAt: new Date(at.getTime() - 60_000),
    finishedAt: at,
    createdAt: new Date(at.getTime() - 60_000),
  });
}

let alpha: Org;
let bravo: Org;
let idle: { id: string };

beforeAll(async () => {
  t = await createTestDatabase();
  pointProcessAtDatabase(t);
  alpha = await newOrg("Servers Alpha");
  bravo = await newOrg("Servers Bravo");
  idle = await createServer(t.db, plugins, alpha.owner, { name: "Idle host", kind: "local", config: {} });

  const failing = await environment(alpha, alpha.setup.server, "Failing Co");
  await backup(alpha, failing, "completed", 3 * 24);
  await backup(alpha, failing, "failed", 1);
  const overdue = await environment(alpha, alpha.setup.server, "Overdue Co");
  await backup(alpha, overdue, "completed", 30);
  const fine = await environment(alpha, alpha.setup.server, "Fine Co");
  await backup(alpha, fine, "completed", 2);

  const foreign = await environment(bravo, bravo.setup.server, "Bravo Co");
  await backup(bravo, foreign, "failed", 1);
});

afterAll(async () => {
  await t?.drop();
});

describe("server health", () => {
  it("counts each server's environments and those failing or overdue, as the fleet view judges them", async () => {
    const { servers } = await getServerHealth(t.db, alpha.viewer);
    expect(servers.sort((a, b) => a.environments - b.environments)).toEqual([
      { serverId: idle.id, environments: 0, failing: 0, overdue: 0 },
      { serverId: alpha.setup.server.id, environments: 3, failing: 1, overdue: 1 },
    ]);
  });

  it("sees only the caller's organization", async () => {
    const { servers } = await getServerHealth(t.db, bravo.viewer);
    expect(servers).toEqual([{ serverId: bravo.setup.server.id, environments: 1, failing: 1, overdue: 0 }]);
  });
});
