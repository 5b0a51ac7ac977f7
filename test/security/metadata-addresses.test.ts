import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConsoleWithMembers, type ConsoleWithMembers } from "../helpers/console-members";
import { fakeHttp, type FakeListener } from "../helpers/fake-listeners";

/**
 * Item 3, last rule: a test that reaches a host the caller chose must not reach a cloud's metadata service
 * (169.254.169.254 hands out the machine's credentials to whoever asks from it). The address is put on this
 * machine's loopback for the test, with a listener standing in for the metadata service.
 */
const METADATA = "169.254.169.254";
let metadata: FakeListener;
let guarded: ConsoleWithMembers;
let permissive: ConsoleWithMembers;
let serverId: string;

function s3Draft(endpoint: string) {
  return { provider: "s3", config: { preset: "custom", endpoint, region: "us-east-1", bucket: "backups", accessKeyId: "AKIAEXAMPLE", secretAccessKey: "secret", forcePathStyle: true } };
}

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error("This test puts 169.254.169.254 on the loopback interface, which needs root (CI runs as root)");
  execFileSync("ip", ["addr", "add", `${METADATA}/32`, "dev", "lo"]);
  metadata = await fakeHttp(METADATA);
  [guarded, permissive] = await Promise.all([startConsoleWithMembers(), startConsoleWithMembers({ SAFEHOLD_ALLOW_LINK_LOCAL: "1" })]);
  serverId = ((await guarded.rest(guarded.members.admin, "POST", "/servers", { name: "This host", kind: "local", config: {} })).body as { id: string }).id;
});

afterAll(async () => {
  await Promise.all([guarded?.stop(), permissive?.stop()]);
  await metadata?.stop();
  execFileSync("ip", ["addr", "del", `${METADATA}/32`, "dev", "lo"]);
});

describe("link-local and cloud metadata addresses", () => {
  it("(weakened: SAFEHOLD_ALLOW_LINK_LOCAL=1) a storage test does reach the metadata listener", async () => {
    const answer = await permissive.trpc(permissive.members.admin, "storageLocations.testDraft", s3Draft(`http://${METADATA}:${metadata.port}`));
    expect(answer.status).toBe(200);
    expect(metadata.received.length).toBeGreaterThan(0);
    metadata.received.length = 0;
  });

  it("are refused by default, however they are written, before anything connects", async () => {
    const { admin, operator } = guarded.members;
    const connectionsBefore = metadata.connections;
    for (const endpoint of [`http://${METADATA}:${metadata.port}`, `http://2852039166:${metadata.port}`, `http://[::ffff:169.254.169.254]:${metadata.port}`, "http://metadata.google.internal/"]) {
      const answer = await guarded.trpc(admin, "storageLocations.testDraft", s3Draft(endpoint));
      expect(answer, endpoint).toMatchObject({ status: 422, body: { data: { fields: { "config.endpoint": expect.stringMatching(/is a link-local or cloud metadata address, which Safehold does not reach \(set SAFEHOLD_ALLOW_LINK_LOCAL=1/) } } } });
    }
    const saved = await guarded.rest(admin, "POST", "/storage-locations", { name: "Metadata", ...s3Draft(`http://${METADATA}:${metadata.port}`) });
    expect(saved.status).toBe(422);
    const project = await guarded.rest(operator, "POST", "/projects", { name: "Client" });
    const environment = await guarded.rest(operator, "POST", "/environments", {
      projectId: (project.body as { id: string }).id,
      name: "production",
      stage: "production",
      serverId,
      source: "postgres",
      sourceConfig: { host: METADATA, port: metadata.port, user: "odoo", password: "x", database: "odoo" },
    });
    expect(environment).toMatchObject({ status: 422, body: { error: { fields: { "sourceConfig.host": expect.stringMatching(/^169\.254\.169\.254 is a link-local/) } } } });
    const tested = await guarded.trpc(operator, "environments.testDraft", { serverId, source: "postgres", sourceConfig: { host: "fe80::1", port: 5432, user: "odoo", password: "x", database: "odoo" } });
    expect(tested.status).toBe(422);
    expect(metadata.received).toEqual([]);
    expect(metadata.connections).toBe(connectionsBefore);
  });
});
