import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/console-process";
import { startConsoleWithMembers, type ConsoleWithMembers } from "../helpers/console-members";
import { signInOverHttp, signOutOverHttp, trpcWithCookie } from "../helpers/http-sign-in";

/**
 * A session cookie is a signed JWT valid for a week. Before sessions were checked against the database on every
 * request, a copied cookie kept working after its owner signed out, changed the password, was reset or removed:
 * each case below replays a copied cookie after such an event and expects 401.
 */
let c: ConsoleWithMembers;

beforeAll(async () => {
  c = await startConsoleWithMembers();
});

afterAll(async () => {
  await c?.stop();
});

async function signedIn(email: string, password: string) {
  const answer = await signInOverHttp(c.app.url, { email, password });
  expect(answer.error).toBeNull();
  return answer.cookie!;
}

const status = async (cookie: string, procedure = "me.get") => (await trpcWithCookie(c.app.url, cookie, procedure)).status;

describe("sessions end on the server, for every copy of the cookie", () => {
  it("signing out ends that session", async () => {
    const cookie = await signedIn(c.members.viewer.email, "viewer-password-1");
    expect(await status(cookie)).toBe(200);
    expect(await signOutOverHttp(c.app.url, cookie)).toBeLessThan(400);
    expect(await status(cookie)).toBe(401);
  });

  it("a password change ends every other session and keeps this one; the account page lists them", async () => {
    const here = await signedIn(c.members.operator.email, "operator-password-1");
    const stolen = await signedIn(c.members.operator.email, "operator-password-1");
    const account = await trpcWithCookie(c.app.url, here, "account.get");
    expect((account.body.sessions as Array<{ current: boolean }>).filter((s) => s.current)).toHaveLength(1);
    expect((account.body.sessions as unknown[]).length).toBeGreaterThanOrEqual(2);

    const weak = await trpcWithCookie(c.app.url, here, "account.changePassword", { currentPassword: "operator-password-1", newPassword: "password1234" }, "mutation");
    expect(weak.status).toBe(400);
    expect(weak.body.message).toContain("Choose a less common password");
    const tooLong = await trpcWithCookie(c.app.url, here, "account.changePassword", { currentPassword: "operator-password-1", newPassword: "ü".repeat(40) }, "mutation");
    expect(tooLong.body.message).toContain("Use at most 72 bytes");
    const wrong = await trpcWithCookie(c.app.url, here, "account.changePassword", { currentPassword: "not-it-at-all", newPassword: "a-fresh-operator-phrase" }, "mutation");
    expect(wrong.status).toBe(422);

    const changed = await trpcWithCookie(c.app.url, here, "account.changePassword", { currentPassword: "operator-password-1", newPassword: "a-fresh-operator-phrase" }, "mutation");
    expect(changed.status).toBe(200);
    expect(await status(here)).toBe(200);
    expect(await status(stolen)).toBe(401);
    expect((await signInOverHttp(c.app.url, { email: c.members.operator.email, password: "operator-password-1" })).error).toBe("Wrong email or password");
    await signedIn(c.members.operator.email, "a-fresh-operator-phrase");
  });

  it("sign out everywhere ends every session, this one included", async () => {
    const a = await signedIn(c.members.operator.email, "a-fresh-operator-phrase");
    const b = await signedIn(c.members.operator.email, "a-fresh-operator-phrase");
    expect((await trpcWithCookie(c.app.url, a, "account.signOutEverywhere", undefined, "mutation")).status).toBe(200);
    expect(await status(a)).toBe(401);
    expect(await status(b)).toBe(401);
  });

  it("an admin's reset ends the member's sessions and hands out a temporary password that must be replaced first", async () => {
    const member = await signedIn(c.members.viewer.email, "viewer-password-1");
    const viewerId = await userId(c.members.viewer.email);
    const reset = await c.trpc(c.members.admin, "members.resetPassword", { userId: viewerId });
    expect(reset.status).toBe(200);
    const temporary = (reset.body as { temporaryPassword: string }).temporaryPassword;
    expect(await status(member)).toBe(401);

    const pending = await signedIn(c.members.viewer.email, temporary);
    expect((await trpcWithCookie(c.app.url, pending, "account.get")).body.pending).toBe("password_change");
    const blocked = await trpcWithCookie(c.app.url, pending, "projects.list", { limit: 10 });
    expect(blocked.status).toBe(403);
    expect(blocked.body.message).toContain("Choose a new password first");
    const page = await fetch(`${c.app.url}/projects`, { headers: { cookie: pending }, redirect: "manual" });
    expect(page.headers.get("location") ?? "").toContain("/account/secure");

    expect((await trpcWithCookie(c.app.url, pending, "account.changePassword", { currentPassword: temporary, newPassword: "viewer-chosen-phrase" }, "mutation")).status).toBe(200);
    expect((await trpcWithCookie(c.app.url, pending, "projects.list", { limit: 10 })).status).toBe(200);
  });

  it("an admin cannot reset an owner, nor anyone who also belongs to another organization", async () => {
    expect((await c.trpc(c.members.admin, "members.resetPassword", { userId: await userId(c.members.owner.email) })).status).toBe(403);
    const other = await runCli(["user", "create", "--email", "shared@security.test", "--org", "Security agency", "--role", "viewer"], c.cliEnv, "shared-person-phrase\n");
    expect(other.code).toBe(0);
    const orgId = (await c.t.sql`select id from organizations limit 1`)[0]!.id as string;
    await c.t.sql`insert into organizations (name) values ('Elsewhere')`;
    const elsewhere = (await c.t.sql`select id from organizations where name = 'Elsewhere'`)[0]!.id as string;
    const sharedId = await userId("shared@security.test");
    await c.t.sql`insert into memberships (org_id, user_id, role) values (${elsewhere}, ${sharedId}, 'owner')`;
    const refused = await c.trpc(c.members.admin, "members.resetPassword", { userId: sharedId });
    expect(refused.status).toBe(403);
    expect((refused.body as { message: string }).message).toContain("also belongs to another organization");
    expect(orgId).not.toBe(elsewhere);
  });

  it("removal from the organization ends the member's sessions", async () => {
    await runCli(["user", "create", "--email", "leaver@security.test", "--org", "Security agency", "--role", "operator"], c.cliEnv, "leaver-long-phrase\n");
    const cookie = await signedIn("leaver@security.test", "leaver-long-phrase");
    // Also a member elsewhere, so a cookie without a session check would still resolve to an organization.
    await c.t.sql`insert into organizations (name) values ('Second home')`;
    const second = (await c.t.sql`select id from organizations where name = 'Second home'`)[0]!.id as string;
    await c.t.sql`insert into memberships (org_id, user_id, role) values (${second}, ${await userId("leaver@security.test")}, 'viewer')`;
    expect(await status(cookie)).toBe(200);
    expect((await c.trpc(c.members.admin, "members.remove", { userId: await userId("leaver@security.test") })).status).toBe(200);
    expect(await status(cookie)).toBe(401);
  });

  it("the CLI's reset-password (stdin, never argv) ends sessions; --temporary makes the user choose another", async () => {
    const cookie = await signedIn(c.members.admin.email, "admin-password-1");
    const argv = await runCli(["user", "reset-password", "--email", c.members.admin.email, "--password", "x"], c.cliEnv);
    expect(argv.code).toBe(1);
    const reset = await runCli(["user", "reset-password", "--email", c.members.admin.email, "--temporary"], c.cliEnv, "admin-temporary-phrase\n");
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain("every session of theirs has ended");
    expect(await status(cookie)).toBe(401);
    const pending = await signedIn(c.members.admin.email, "admin-temporary-phrase");
    expect((await trpcWithCookie(c.app.url, pending, "account.get")).body.pending).toBe("password_change");
  });
});

async function userId(email: string): Promise<string> {
  const [row] = await c.t.sql`select id from users where email = ${email}`;
  return row!.id as string;
}
