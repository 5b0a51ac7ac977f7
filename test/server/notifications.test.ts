import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { eq } from "drizzle-orm";
import { runBackup } from "@/server/backups/run-backup";
import { environments, restores } from "@/server/db/schema";
import { enqueueJob, environmentQueue } from "@/server/jobs/enqueue";
import { SECRET_MASK } from "@/shared/secret-mask";
import { createApiToken } from "@/server/services/api-tokens";
import { createBackup, insertPendingBackup } from "@/server/services/backup-lifecycle";
import { putOrgPolicy, putOverride } from "@/server/services/backup-policies";
import { createNotificationChannel } from "@/server/services/notification-channels";
import { createBackupSetup, createPostgresEnvironment, startTestWorker, waitForBackup } from "../helpers/backup-env";
import { createClientDatabase, createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, callerFor, createOrgWithMembers } from "../helpers/fixtures";
import { freePort } from "../helpers/ports";
import { rest } from "../helpers/rest";

const plugins = builtinPluginHost();
const SMTP_USER = "notify";
const SMTP_PASSWORD = "smtp-pass-0b7f1c";
const HOOK_SECRET = "hook-secret-5d2e9a";
const policy = { enabled: false, schedule: "0 2 * * *", timezone: "UTC", storageLocationId: null, includeFilestore: true, retention: { daily: 7, weekly: 4, monthly: 12, yearly: 2 } };

type Mail = { from: string; to: string[]; raw: string };
type Hook = { path: string; event: string | undefined; signed: boolean; body: Record<string, unknown> };

let t: TestDatabase;
let worker: { stop: () => Promise<void> };
let client: Awaited<ReturnType<typeof createClientDatabase>>;
let owner: Principal;
let viewer: Principal;
let setup: Awaited<ReturnType<typeof createBackupSetup>>;
let smtp: SMTPServer;
let smtpPort: number;
let receiver: http.Server;
let hookBase: string;
const mails: Mail[] = [];
const hooks: Hook[] = [];
/** How many more requests each path answers with 500 (Infinity: always). */
const failing = new Map<string, number>();
const channels: Record<"email" | "json" | "slack", string> = { email: "", json: "", slack: "" };

/** The text of a mail as sent: quoted-printable soft line breaks and escapes undone. */
function decodeQp(raw: string): string {
  return raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function startSmtp(): Promise<void> {
  smtp = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) callback(null, { user: SMTP_USER });
      else callback(new Error("Invalid username or password"));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "", to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString("utf8") });
        callback();
      });
    },
  });
  return new Promise((resolve) => smtp.listen(smtpPort, "127.0.0.1", resolve));
}

/** A webhook receiver that checks the HMAC of the raw body, as a real one must, before reading it. */
function startReceiver(port: number): Promise<void> {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const expected = Buffer.from(`sha256=${createHmac("sha256", HOOK_SECRET).update(raw).digest("hex")}`);
      const given = Buffer.from(String(req.headers["x-safehold-signature"] ?? ""));
      const signed = given.length === expected.length && timingSafeEqual(given, expected);
      const path = req.url ?? "";
      const left = failing.get(path) ?? 0;
      if (left > 0) {
        failing.set(path, left - 1);
        res.writeHead(500, { "content-type": "text/plain" }).end("receiver is down");
        return;
      }
      hooks.push({ path, event: req.headers["x-safehold-event"] as string | undefined, signed, body: JSON.parse(raw.toString("utf8")) as Record<string, unknown> });
      res.writeHead(signed ? 204 : 401).end();
    });
  });
  return new Promise((resolve) => receiver.listen(port, "127.0.0.1", resolve));
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

type DeliveryRow = { channel: string; event: string; status: string; attempts: number; error: string | null; title: string };

async function deliveriesOf(subjectId: string): Promise<DeliveryRow[]> {
  return (await t.sql`select c.name as channel, d.event, d.status, d.attempts, d.error, d.title from notification_deliveries d join notification_channels c on c.id = d.channel_id where d.subject_id = ${subjectId} order by c.name`) as unknown as DeliveryRow[];
}

/** Waits until every delivery about the subject is settled (sent or failed). */
async function settled(subjectId: string, count: number, timeoutMs?: number): Promise<DeliveryRow[]> {
  return waitFor(`${count} settled deliveries`, async () => {
    const rows = await deliveriesOf(subjectId);
    return rows.length === count && rows.every((r) => r.status !== "pending") && rows;
  }, timeoutMs);
}

let envCounter = 0;
async function environment(reachable: boolean) {
  const port = reachable ? client.port : await freePort();
  return createPostgresEnvironment(t.db, plugins, owner, setup, { ...client, port }, `env-${++envCounter}`);
}

async function backupOf(environmentId: string) {
  const backup = await createBackup(t.db, owner, { environmentId, name: "", notes: "", includeFilestore: true, retention: "daily" });
  return waitForBackup(t.db, owner, backup.id);
}

beforeAll(async () => {
  t = await createTestDatabase();
  client = await createClientDatabase();
  ({ principals: { owner, viewer } } = await createOrgWithMembers(t.db, "Notify"));
  setup = await createBackupSetup(t.db, plugins, owner);
  smtpPort = await freePort();
  await startSmtp();
  const hookPort = await freePort();
  await startReceiver(hookPort);
  hookBase = `http://127.0.0.1:${hookPort}`;
  const mail = { host: "127.0.0.1", port: smtpPort, security: "none", username: SMTP_USER, password: SMTP_PASSWORD, from: "Safehold <safehold@agency.test>", to: "ops@agency.test, oncall@agency.test" };
  channels.email = (await createNotificationChannel(t.db, plugins, owner, { name: "a-mail", notifier: "email", config: mail })).id;
  channels.json = (await createNotificationChannel(t.db, plugins, owner, { name: "b-json", notifier: "webhook", config: { url: `${hookBase}/json`, format: "json", secret: HOOK_SECRET } })).id;
  channels.slack = (await createNotificationChannel(t.db, plugins, owner, { name: "c-slack", notifier: "webhook", config: { url: `${hookBase}/slack`, format: "slack", secret: HOOK_SECRET } })).id;
  await putOrgPolicy(t.db, owner, { ...policy, notifyOnSuccess: false, notifyOnFailure: true, notificationChannelIds: Object.values(channels) });
  worker = await startTestWorker(t);
});

afterAll(async () => {
  await worker?.stop();
  await new Promise((r) => smtp?.close(() => r(undefined)));
  await new Promise((r) => receiver?.close(() => r(undefined)));
  await client?.drop();
  await t?.drop();
});

describe("backup notifications", () => {
  it("are queued in the transaction that ends the run: nothing after it can lose them", async () => {
    const env = await environment(false);
    const [row] = await t.db.select().from(environments).where(eq(environments.id, env.id));
    // Run in this process, outside any job: once the run has ended, its deliveries exist (no later step queues them).
    const id = await insertPendingBackup(t.db, owner.orgId, { environment: row!, storageLocationId: setup.storage.id, type: "manual", name: "", notes: "", requestedBy: owner.userId, retention: "daily", includeFilestore: true });
    await runBackup(t.db, plugins, id, new AbortController().signal);
    const [ended] = await t.sql`select b.status, b.failure_kind, (select count(*)::int from notification_deliveries d where d.subject_id = b.id) as deliveries from backups b where b.id = ${id}`;
    expect(ended).toEqual({ status: "failed", failure_kind: "source", deliveries: 3 });
    await settled(id, 3);
  });

  it("tells every channel of a failed backup: an email, a signed JSON webhook, a Slack-compatible one", async () => {
    const env = await environment(false);
    const backup = await backupOf(env.id);
    expect(backup.status).toBe("failed");
    const rows = await settled(backup.id, 3);
    expect(rows.map((r) => [r.channel, r.event, r.status, r.attempts])).toEqual([
      ["a-mail", "backup.failed", "sent", 1],
      ["b-json", "backup.failed", "sent", 1],
      ["c-slack", "backup.failed", "sent", 1],
    ]);
    const title = `Backup failed: ${setup.project.name} / ${env.name}`;

    const mail = mails.find((m) => decodeQp(m.raw).includes(`Subject: ${title}`))!;
    expect(mail).toBeDefined();
    expect(mail.from).toBe("safehold@agency.test");
    expect(mail.to.sort()).toEqual(["oncall@agency.test", "ops@agency.test"]);
    const text = decodeQp(mail.raw);
    expect(text).toContain(`Subject: ${title}`);
    expect(text).toContain(backup.error!);
    expect(text).toContain("Content-Type: text/html");

    const json = hooks.find((h) => h.path === "/json" && h.body.title === title)!;
    expect(json).toMatchObject({ signed: true, event: "backup.failed" });
    expect(json.body).toMatchObject({ event: "backup.failed", severity: "failure", fields: { environment: env.name, project: setup.project.name, type: "manual", status: "failed" } });
    expect(json.body.text).toContain(backup.error!);
    expect(json.body.url).toMatch(new RegExp(`/projects/${setup.project.id}/environments/${env.id}$`));
    expect(new Date(json.body.occurredAt as string).toISOString()).toBe(json.body.occurredAt);

    const slack = hooks.find((h) => h.path === "/slack" && h.body.event === "backup.failed" && String(h.body.text).startsWith(title))!;
    expect(slack.signed).toBe(true);
    expect(String(slack.body.text).split("\n")[1]).toContain(backup.error!);
  });

  it("sends nothing for a completed backup while notify on success is off, and does once an override turns it on", async () => {
    const env = await environment(true);
    const quiet = await backupOf(env.id);
    expect(quiet.status).toBe("completed");
    await putOverride(t.db, owner, env.id, { notifyOnSuccess: true, notificationChannelIds: [channels.json] });
    const loud = await backupOf(env.id);
    expect(loud.status).toBe("completed");
    const [row] = await settled(loud.id, 1);
    expect(row).toMatchObject({ channel: "b-json", event: "backup.completed", status: "sent" });
    // An environment's jobs run one after the other: the first one, notifying included, finished before the second began.
    expect(await deliveriesOf(quiet.id)).toEqual([]);
    const hook = hooks.find((h) => h.body.event === "backup.completed" && String(h.body.title).endsWith(env.name))!;
    expect(hook.body).toMatchObject({ severity: "success", fields: { status: "completed", size: expect.stringMatching(/B$/) } });
    expect(hooks.filter((h) => h.body.event === "backup.completed")).toHaveLength(1);
  });

  it("retries a receiver that answers 500 and marks the delivery sent once it recovers; the backup stays as it was", async () => {
    const flaky = await createNotificationChannel(t.db, plugins, owner, { name: "d-flaky", notifier: "webhook", config: { url: `${hookBase}/flaky`, format: "json", secret: HOOK_SECRET } });
    failing.set("/flaky", 1);
    const env = await environment(false);
    await putOverride(t.db, owner, env.id, { notificationChannelIds: [flaky.id] });
    const backup = await backupOf(env.id);
    const failedOnce = await waitFor("a failed first attempt", async () => {
      const [row] = await deliveriesOf(backup.id);
      return row && row.attempts === 1 && row.status === "pending" && row;
    });
    expect(failedOnce.error).toBe(`The webhook at ${hookBase} answered 500 Internal Server Error: receiver is down`);
    // graphile-worker's backoff brings the second attempt about 3 s later.
    const [row] = await settled(backup.id, 1);
    expect(row).toMatchObject({ status: "sent", attempts: 2, error: null });
    expect(hooks.filter((h) => h.path === "/flaky")).toHaveLength(1);
    expect((await waitForBackup(t.db, owner, backup.id)).status).toBe("failed");
  });

  it("marks a delivery failed with its error after the last attempt, and leaves the backup completed", async () => {
    const down = await createNotificationChannel(t.db, plugins, owner, { name: "e-down", notifier: "webhook", config: { url: `${hookBase}/down`, format: "json", secret: HOOK_SECRET } });
    failing.set("/down", Infinity);
    const env = await environment(true);
    await putOverride(t.db, owner, env.id, { notifyOnSuccess: true, notificationChannelIds: [down.id] });
    const backup = await backupOf(env.id);
    expect(backup.status).toBe("completed");
    // Skip the backoff (3 s, 7 s, 20 s, 55 s): each waiting attempt is made due at once.
    const [row] = await waitFor("the last attempt", async () => {
      await t.sql`update graphile_worker._private_jobs set run_at = now() where locked_at is null and payload->>'deliveryId' in (select id::text from notification_deliveries where subject_id = ${backup.id})`;
      const rows = await deliveriesOf(backup.id);
      return rows[0]?.status === "failed" && rows;
    }, 60_000);
    expect(row).toMatchObject({ status: "failed", attempts: 5, error: `The webhook at ${hookBase} answered 500 Internal Server Error: receiver is down` });
    // The task records the failure before graphile-worker removes its job, so wait for the removal.
    await waitFor("the job removed", async () => {
      const [job] = await t.sql`select count(*)::int as n from graphile_worker._private_jobs where payload->>'deliveryId' in (select id::text from notification_deliveries where subject_id = ${backup.id})`;
      return job!.n === 0;
    });
    expect((await waitForBackup(t.db, owner, backup.id)).status).toBe("completed");
  });

  it("fails a delivery at once when the notifier says retrying cannot help (a receiver that refuses with 401)", async () => {
    const refused = await createNotificationChannel(t.db, plugins, owner, { name: "g-refused", notifier: "webhook", config: { url: `${hookBase}/refused`, format: "json", secret: "not-the-receivers-secret-0123456789" } });
    const env = await environment(true);
    await putOverride(t.db, owner, env.id, { notifyOnSuccess: true, notificationChannelIds: [refused.id] });
    const backup = await backupOf(env.id);
    const [row] = await waitFor("the refused delivery", async () => {
      const rows = await deliveriesOf(backup.id);
      return rows[0]?.status === "failed" && rows;
    });
    expect(row).toMatchObject({ status: "failed", attempts: 1, error: `The webhook at ${hookBase} answered 401 Unauthorized` });
  });
});

describe("restore notifications", () => {
  it("tells the target environment's channels that a restore failed", async () => {
    const env = await environment(false);
    await putOverride(t.db, owner, env.id, { notificationChannelIds: [channels.json] });
    const [restore] = await t.db.insert(restores).values({ orgId: owner.orgId, backupId: null, target: "original", targetEnvironmentId: env.id, requestedBy: owner.userId }).returning();
    await enqueueJob(t.db, "restore/run", { restoreId: restore!.id }, { queueName: environmentQueue(env.id) });
    const [row] = await settled(restore!.id, 1);
    expect(row).toMatchObject({ event: "restore.failed", status: "sent", title: `Restore failed: ${setup.project.name} / ${env.name}` });
    const hook = hooks.find((h) => h.body.event === "restore.failed")!;
    expect(hook.body.text).toContain("The backup to restore was deleted");
    expect(hook.body.fields).toMatchObject({ environment: env.name, target: "same environment", status: "failed" });
  });
});

describe("notification channels", () => {
  it("sends a test notification, and says clearly why a closed port fails", async () => {
    const owners = callerFor(t.db, plugins, owner);
    expect(await owners.notificationChannels.test({ id: channels.email })).toEqual({ ok: true, message: 'Test notification sent through "a-mail"' });
    expect(mails.at(-1)!.raw).toContain("Subject: Test notification from Safehold");
    expect(await owners.notificationChannels.test({ id: channels.slack })).toMatchObject({ ok: true });
    expect(hooks.at(-1)).toMatchObject({ event: "test", signed: true, body: { event: "test", severity: "info" } });

    const closed = await freePort();
    const mail = await createNotificationChannel(t.db, plugins, owner, { name: "f-closed-mail", notifier: "email", config: { host: "127.0.0.1", port: closed, security: "starttls", from: "a@agency.test", to: "b@agency.test" } });
    expect(await owners.notificationChannels.test({ id: mail.id })).toEqual({ ok: false, message: `Nothing is listening on 127.0.0.1:${closed} (connection refused)` });
    const hook = await createNotificationChannel(t.db, plugins, owner, { name: "g-closed-hook", notifier: "webhook", config: { url: `http://127.0.0.1:${closed}/x/token`, format: "json" } });
    expect(await owners.notificationChannels.test({ id: hook.id })).toEqual({ ok: false, message: `Cannot reach the webhook at http://127.0.0.1:${closed}: connection refused` });

    const log = await callerFor(t.db, plugins, viewer).notificationChannels.deliveries({ channelId: mail.id });
    expect(log.items).toMatchObject([{ event: "test", status: "failed", attempts: 1, channelName: "f-closed-mail", error: `Nothing is listening on 127.0.0.1:${closed} (connection refused)` }]);
  });

  it("masks secrets in what it lists, keeps them when a masked value comes back, and stores them encrypted", async () => {
    const list = await callerFor(t.db, plugins, viewer).notificationChannels.list({});
    const email = list.items.find((c) => c.id === channels.email)!;
    expect(email.config).toMatchObject({ username: SMTP_USER, password: SECRET_MASK, host: "127.0.0.1" });
    expect(list.items.find((c) => c.id === channels.json)!.config).toMatchObject({ secret: SECRET_MASK, url: SECRET_MASK });
    expect(JSON.stringify(list)).not.toContain(hookBase);
    expect(JSON.stringify(list)).not.toContain(SMTP_PASSWORD);
    expect(JSON.stringify(list)).not.toContain(HOOK_SECRET);

    const token = (await createApiToken(t.db, owner, { name: "notify" })).token;
    const put = await rest("PUT", `/notification-channels/${channels.email}`, { token, body: { name: "a-mail", config: email.config } });
    expect(put.status).toBe(200);
    expect(put.text).not.toContain(SMTP_PASSWORD);
    const [row] = await t.sql`select config::text as config, secrets from notification_channels where id = ${channels.email}`;
    expect(`${row!.config}${row!.secrets}`).not.toContain(SMTP_PASSWORD);
    // The masked password sent back kept the stored one: the server still accepts the login.
    expect(await callerFor(t.db, plugins, owner).notificationChannels.test({ id: channels.email })).toMatchObject({ ok: true });
  });

  it("pages the delivery log newest first, over REST too", async () => {
    const token = (await createApiToken(t.db, owner, { name: "deliveries" })).token;
    const all = (await rest("GET", "/notification-deliveries?limit=200", { token })).body as { items: Array<{ id: string; createdAt: string }> };
    expect(all.items.length).toBeGreaterThan(5);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await rest("GET", `/notification-deliveries?limit=2${cursor ? `&cursor=${cursor}` : ""}`, { token })).body as { items: Array<{ id: string }>; nextCursor: string | null };
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.items.map((i) => i.id));
    const times = all.items.map((i) => i.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it("refuses a policy naming another organization's channel, and a deleted channel leaves the policies", async () => {
    const other = await createOrgWithMembers(t.db, "Elsewhere");
    const theirs = await createNotificationChannel(t.db, plugins, other.principals.owner, { name: "theirs", notifier: "webhook", config: { url: `${hookBase}/theirs`, format: "json" } });
    const env = await environment(false);
    await expect(putOverride(t.db, owner, env.id, { notificationChannelIds: [theirs.id] })).rejects.toThrow("Notification channel not found");
    await expect(putOrgPolicy(t.db, owner, { ...policy, notifyOnSuccess: false, notifyOnFailure: true, notificationChannelIds: [channels.email, theirs.id] })).rejects.toThrow("Notification channel not found");

    const owners = callerFor(t.db, plugins, owner);
    await owners.notificationChannels.delete({ id: channels.slack });
    const defaults = await owners.backupPolicies.getDefault({});
    expect(defaults.notificationChannelIds.sort()).toEqual([channels.email, channels.json].sort());
    const [activity] = await t.sql`select action, target_label from activity_log where target_id = ${channels.slack} and action = 'notification_channel.delete'`;
    expect(activity).toEqual({ action: "notification_channel.delete", target_label: "c-slack" });
  });
});
