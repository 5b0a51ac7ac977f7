import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticate } from "@/server/auth/authenticate";
import { delaySeconds } from "@/server/auth/login-throttle";
import { countUsers, createFirstOwner, createUserFromCli } from "@/server/services/users";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, callerFor } from "../helpers/fixtures";

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
});

afterAll(async () => {
  await t.drop();
});

describe("first run and sign-in", () => {
  it("opens setup only while no user exists, and the first user owns the new organization", async () => {
    const setup = callerFor(t.db, builtinPluginHost(), null).setup;
    expect(await setup.status()).toEqual({ needsSetup: true });
    await expect(setup.createOwner({ email: "bad", password: "short", organizationName: "" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const created = await setup.createOwner({ email: "Owner@Agency.test", password: "a-long-password", organizationName: "Agency", name: "Olive" });
    expect(created).toEqual({ email: "owner@agency.test", organization: "Agency" });
    expect(await setup.status()).toEqual({ needsSetup: false });
    await expect(setup.createOwner({ email: "other@agency.test", password: "a-long-password", organizationName: "Other" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: "Safehold is already set up: sign in instead",
    });
    expect(await countUsers(t.db)).toBe(1);
  });

  it("refuses concurrent setups but one", async () => {
    const other = await createTestDatabase();
    try {
      const attempts = await Promise.allSettled(
        [1, 2, 3].map((i) => createFirstOwner(other.db, { email: `o${i}@x.test`, password: "a-long-password", name: "", organizationName: `Org ${i}` })),
      );
      expect(attempts.filter((a) => a.status === "fulfilled")).toHaveLength(1);
      expect(await countUsers(other.db)).toBe(1);
    } finally {
      await other.drop();
    }
  });

  const client = (ip: string) => ({ ip, userAgent: "vitest" });

  it("signs in with the right password (any email case) and refuses a wrong one", async () => {
    await expect(authenticate(t.db, { email: "OWNER@agency.test", password: "a-long-password", ...client("10.0.0.1") })).resolves.toMatchObject({ email: "owner@agency.test" });
    await expect(authenticate(t.db, { email: "owner@agency.test", password: "nope", ...client("10.0.0.1") })).rejects.toThrow("Wrong email or password");
    await expect(authenticate(t.db, { email: "nobody@agency.test", password: "nope", ...client("10.0.0.1") })).rejects.toThrow("Wrong email or password");
  });

  it("delays rather than locks: free attempts, then doubling waits up to a ceiling", () => {
    expect([0, 1, 2, 3, 4, 5, 12, 40].map((n) => delaySeconds(n, 3, 900))).toEqual([0, 0, 0, 2, 4, 8, 900, 900]);
    expect(delaySeconds(30, 10, 60)).toBe(60);
  });

  it("makes an address wait after three failures on one account, even with the right password; the account stays open elsewhere", async () => {
    await createUserFromCli(t.db, { email: "target@agency.test", password: "the-right-password", role: "viewer" });
    for (let i = 0; i < 3; i++) {
      await expect(authenticate(t.db, { email: "target@agency.test", password: `wrong-${i}`, ...client("10.1.0.1") })).rejects.toThrow("Wrong email or password");
    }
    await expect(authenticate(t.db, { email: "target@agency.test", password: "the-right-password", ...client("10.1.0.1") })).rejects.toThrow(
      /Too many failed sign-in attempts for this account from your address\. Try again in [12] seconds?\./,
    );
    await expect(authenticate(t.db, { email: "target@agency.test", password: "the-right-password", ...client("10.1.0.2") })).resolves.toBeTruthy();
  });

  it("lets the CLI add later users to the organization with a role", async () => {
    const result = await createUserFromCli(t.db, { email: "ops@agency.test", password: "an-operator-password", role: "operator" });
    expect(result).toMatchObject({ role: "operator", org: { name: "Agency" } });
    await expect(createUserFromCli(t.db, { email: "ops@agency.test", password: "an-operator-password" })).rejects.toThrow("already exists");
    await expect(createUserFromCli(t.db, { email: "x@agency.test", password: "an-operator-password", orgName: "Nope" })).rejects.toThrow('No organization is named "Nope"');
  });
});
