import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { getOrgPolicy, orgDefaultPolicy, putOrgPolicy, putOverride } from "@/server/services/backup-policies";
import { listNotificationChannels } from "@/server/services/notification-channels";
import { createProject } from "@/server/services/projects";
import { createBackupSetup, createPostgresEnvironment } from "../helpers/backup-env";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, callerFor, createOrgWithMembers } from "../helpers/fixtures";

/** Failure alerts that cannot go nowhere silently: the warning's server-side check, and a new channel as the default for failures. */
const plugins = builtinPluginHost();
const hook = (n: number) => ({ url: `http://127.0.0.1:9/hook-${n}`, format: "json" });

let t: TestDatabase;
let members: Record<"owner" | "admin" | "viewer", Principal>;
let other: Principal;
let production: { id: string };
let staging: { id: string };

const coverage = (who: Principal = members.viewer) => callerFor(t.db, plugins, who).notificationChannels.failureCoverage({});
const addChannel = (name: string, defaultForFailures?: boolean, config: Record<string, unknown> = hook(1)) =>
  callerFor(t.db, plugins, members.admin).notificationChannels.create({ name, notifier: "webhook", config, ...(defaultForFailures === undefined ? {} : { defaultForFailures }) });

beforeAll(async () => {
  t = await createTestDatabase();
  members = (await createOrgWithMembers(t.db, "Notification defaults")).principals;
  other = (await createOrgWithMembers(t.db, "Someone else")).principals.owner;
  const setup = await createBackupSetup(t.db, plugins, members.owner);
  const unreachable = { host: "127.0.0.1", port: 1, user: "u", password: "p" };
  production = await createPostgresEnvironment(t.db, plugins, members.owner, setup, { ...unreachable, database: "acme" }, "production");
  staging = await createPostgresEnvironment(t.db, plugins, members.owner, setup, { ...unreachable, database: "acme_staging" }, "staging");
  // Another organization's environment never shows in this one's answer.
  const elsewhere = await createBackupSetup(t.db, plugins, other);
  await createPostgresEnvironment(t.db, plugins, other, { project: await createProject(t.db, other, { name: "Theirs", description: "" }), server: elsewhere.server }, { ...unreachable, database: "theirs" });
});

afterAll(async () => {
  await t?.drop();
});

describe("failures that reach no one", () => {
  it("flags the built-in default: notify on failure, no channel; every environment follows it", async () => {
    expect(await coverage()).toMatchObject({
      defaultPolicy: { notifyOnFailure: true, channelCount: 0, reachesNoOne: true, hasFailureChannel: false },
      environments: { count: 2, items: [{ id: production.id }, { id: staging.id }] },
    });
    expect((await coverage(other)).environments.items.map((e) => e.id)).not.toContain(production.id);
  });

  it("keeps flagging after a channel is added that receives nothing", async () => {
    await addChannel("Ops webhook", false);
    expect((await coverage()).defaultPolicy.reachesNoOne).toBe(true);
  });

  it("attaches a new channel to the default policy for failures when asked, and the warning goes", async () => {
    await putOrgPolicy(t.db, members.owner, { ...(await orgDefaultPolicy(t.db, members.owner.orgId)), notifyOnFailure: false });
    const channel = await addChannel("On-call webhook", true, hook(2));
    const policy = await getOrgPolicy(t.db, members.owner);
    expect(policy).toMatchObject({ notifyOnFailure: true, notificationChannelIds: [channel.id] });
    expect(await coverage()).toMatchObject({ defaultPolicy: { reachesNoOne: false, hasFailureChannel: true, channelCount: 1 }, environments: { count: 0, items: [] } });
  });

  it("names an environment whose own policy notifies on failure with no channel, not one that chose no alerts", async () => {
    await putOverride(t.db, members.owner, staging.id, { notificationChannelIds: [] });
    expect((await coverage()).environments).toMatchObject({ count: 1, items: [{ id: staging.id, name: "staging", projectName: expect.any(String) }] });
    await putOverride(t.db, members.owner, staging.id, { notificationChannelIds: [], notifyOnFailure: false });
    expect((await coverage()).environments.count).toBe(0);
  });

  it("saves the channel and the policy together or neither", async () => {
    const before = await orgDefaultPolicy(t.db, members.owner.orgId);
    // Invalid settings: no channel, and the policy unchanged.
    await expect(addChannel("Broken", true, { url: "not a url", format: "json" })).rejects.toMatchObject({ code: "UNPROCESSABLE_CONTENT" });
    // The default policy already names as many channels as a policy may: refused at the checkbox, and no channel is left behind.
    const channels = [];
    for (let i = 0; i < 19; i++) channels.push((await addChannel(`Filler ${i}`, false, hook(10 + i))).id);
    await putOrgPolicy(t.db, members.owner, { ...before, notificationChannelIds: [...before.notificationChannelIds, ...channels] });
    await expect(addChannel("One too many", true, hook(99))).rejects.toMatchObject({ message: expect.stringContaining("already names 20 channels") });
    const names = (await listNotificationChannels(t.db, plugins, members.owner, { limit: 100 })).items.map((c) => c.name);
    expect(names).not.toContain("Broken");
    expect(names).not.toContain("One too many");
    expect((await getOrgPolicy(t.db, members.owner)).notificationChannelIds).toHaveLength(20);
  });

  it("lets only admins add a channel as the default for failures; everyone reads the coverage", async () => {
    await expect(callerFor(t.db, plugins, members.viewer).notificationChannels.create({ name: "Viewer's", notifier: "webhook", config: hook(3), defaultForFailures: true })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await coverage(members.viewer)).defaultPolicy.hasFailureChannel).toBe(true);
  });
});
