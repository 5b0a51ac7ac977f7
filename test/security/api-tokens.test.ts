import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConsoleWithMembers, type ConsoleWithMembers } from "../helpers/console-members";
import { signInOverHttp, trpcWithCookie } from "../helpers/http-sign-in";

/**
 * A leaked token used to be able to mint new tokens for its user, which survive the leaked one's revocation:
 * the first case makes that attempt over HTTP and expects 403. Expired tokens are refused; use is recorded.
 */
let c: ConsoleWithMembers;

beforeAll(async () => {
  c = await startConsoleWithMembers();
});

afterAll(async () => {
  await c?.stop();
});

describe("API tokens", () => {
  it("a token cannot create tokens; a signed-in person can, with an expiry", async () => {
    const minted = await c.trpc(c.members.admin, "apiTokens.create", { name: "successor" });
    expect(minted.status).toBe(403);
    expect((minted.body as { message: string }).message).toContain("An API token cannot create API tokens");

    const { cookie } = await signInOverHttp(c.app.url, { email: c.members.admin.email, password: "admin-password-1" });
    const created = await trpcWithCookie(c.app.url, cookie!, "apiTokens.create", { name: "ci", expiresInDays: 30 }, "mutation");
    expect(created.status).toBe(200);
    const item = created.body.item as { expiresAt: string };
    const days = (new Date(item.expiresAt).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    const odd = await trpcWithCookie(c.app.url, cookie!, "apiTokens.create", { name: "odd", expiresInDays: 7 }, "mutation");
    expect(odd.status).toBe(400);

    const token = created.body.token as string;
    const used = await fetch(`${c.app.url}/api/v1/projects`, { headers: { authorization: `Bearer ${token}` } });
    expect(used.status).toBe(200);
    const listed = await trpcWithCookie(c.app.url, cookie!, "apiTokens.list");
    const row = (listed.body as unknown as { items: Array<{ name: string; lastUsedAt: string | null }> }).items.find((t) => t.name === "ci")!;
    expect(row.lastUsedAt).not.toBeNull();
  });

  it("an expired token is refused", async () => {
    const { cookie } = await signInOverHttp(c.app.url, { email: c.members.operator.email, password: "operator-password-1" });
    const created = await trpcWithCookie(c.app.url, cookie!, "apiTokens.create", { name: "short-lived", expiresInDays: 30 }, "mutation");
    const token = created.body.token as string;
    expect((await fetch(`${c.app.url}/api/v1/projects`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    await c.t.sql`update api_tokens set expires_at = now() - interval '1 second' where name = 'short-lived'`;
    const refused = await fetch(`${c.app.url}/api/v1/projects`, { headers: { authorization: `Bearer ${token}` } });
    expect(refused.status).toBe(401);
  });
});
