import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { nonceOf, contentSecurityPolicy } from "@/server/http/security-headers";
import { environmentTitle, projectTitle } from "@/server/services/page-titles";
import { createBackupSetup, createPostgresEnvironment } from "../helpers/backup-env";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";

const plugins = builtinPluginHost();
let t: TestDatabase;
let acme: { owner: Principal; viewer: Principal; setup: Awaited<ReturnType<typeof createBackupSetup>>; environmentId: string };
let other: { owner: Principal; setup: Awaited<ReturnType<typeof createBackupSetup>>; environmentId: string };

async function org(name: string) {
  const { principals } = await createOrgWithMembers(t.db, name);
  const setup = await createBackupSetup(t.db, plugins, principals.owner);
  const environment = await createPostgresEnvironment(t.db, plugins, principals.owner, setup, { host: "127.0.0.1", port: 5432, user: "u", password: "p", database: "db" }, "Production");
  return { owner: principals.owner, viewer: principals.viewer, setup, environmentId: environment.id };
}

beforeAll(async () => {
  t = await createTestDatabase();
  acme = await org("Titles Acme");
  other = await org("Titles Other");
});

afterAll(async () => {
  await t?.drop();
});

describe("page titles (and the 404 they decide)", () => {
  it("name the project and environment for any member of their organization", async () => {
    await expect(projectTitle(t.db, acme.viewer, acme.setup.project.id)).resolves.toEqual({ project: acme.setup.project.name });
    await expect(environmentTitle(t.db, acme.viewer, acme.setup.project.id, acme.environmentId)).resolves.toEqual({ project: acme.setup.project.name, environment: "Production" });
  });

  it("know nothing of another organization's objects, malformed ids, or an environment under another project's address", async () => {
    await expect(projectTitle(t.db, acme.owner, other.setup.project.id)).resolves.toBeNull();
    await expect(environmentTitle(t.db, acme.owner, other.setup.project.id, other.environmentId)).resolves.toBeNull();
    await expect(projectTitle(t.db, acme.owner, "not-a-uuid")).resolves.toBeNull();
    await expect(environmentTitle(t.db, acme.owner, acme.setup.project.id, "42")).resolves.toBeNull();
    await expect(environmentTitle(t.db, other.owner, other.setup.project.id, acme.environmentId)).resolves.toBeNull();
  });
});

describe("nonceOf", () => {
  it("reads the nonce back from the console's policy, and nothing from no policy", () => {
    expect(nonceOf(contentSecurityPolicy("abc+/=="))).toBe("abc+/==");
    expect(nonceOf(null)).toBeUndefined();
    expect(nonceOf("default-src 'self'")).toBeUndefined();
  });
});
