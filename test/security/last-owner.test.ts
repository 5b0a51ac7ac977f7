import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/console-process";
import { startConsoleWithMembers, type ConsoleWithMembers, type Member } from "../helpers/console-members";

/**
 * Two owners demote each other at the same moment. Each request counted two owners before either change was
 * written, so both went through and the organization was left with none. The test makes the race certain: it holds
 * a SHARE lock on memberships (reads pass, writes wait) until both requests are waiting, then lets them go.
 */
let c: ConsoleWithMembers;

beforeAll(async () => {
  c = await startConsoleWithMembers();
});

afterAll(async () => {
  await c?.stop();
});

async function secondOwner(): Promise<Member> {
  const email = "second-owner@security.test";
  expect((await runCli(["user", "create", "--email", email, "--org", "Security agency", "--role", "owner"], c.cliEnv, "orchid-lantern-quarry\n")).code).toBe(0);
  const token = await runCli(["token", "create", "--email", email, "--name", "race"], c.cliEnv);
  return { email, token: token.stdout.trim().split("\n").pop()! };
}

async function userId(email: string): Promise<string> {
  const [row] = await c.t.sql`select id from users where email = ${email}`;
  return row!.id as string;
}

describe("the last owner", () => {
  it("cannot disappear through two concurrent demotions", async () => {
    const other = await secondOwner();
    const [ownerId, otherId] = [await userId(c.members.owner.email), await userId(other.email)];
    const blocker = postgres(c.t.url, { max: 1, onnotice: () => {} });
    try {
      const release = await new Promise<() => void>((resolveRelease) => {
        void blocker.begin(async (tx) => {
          await tx`lock table memberships in share mode`;
          await new Promise<void>((done) => resolveRelease(done));
        });
      });
      const demotions = Promise.all([
        c.trpc(c.members.owner, "members.changeRole", { userId: otherId, role: "admin" }),
        c.trpc(other, "members.changeRole", { userId: ownerId, role: "admin" }),
      ]);
      // Both requests are inside their transactions, waiting on a lock, before the writes may proceed.
      for (let i = 0; i < 200; i++) {
        const [row] = await c.t.sql`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`;
        if ((row!.n as number) >= 2) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      release();
      const answers = await demotions;
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([200, 409]);
      const [owners] = await c.t.sql`select count(*)::int as n from memberships where role = 'owner'`;
      expect(owners!.n).toBe(1);
    } finally {
      await blocker.end();
    }
  });
});
