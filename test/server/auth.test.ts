import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticate } from "@/server/auth/authenticate";
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

  it("signs in with the right password (any email case) and refuses a wrong one", async () => {
    await expect(authenticate(t.db, { email: "OWNER@agency.test", password: "a-long-password", ip: "10.0.0.1" })).resolves.toMatchObject({ email: "owner@agency.test" });
    await expect(authenticate(t.db, { email: "owner@agency.test", password: "nope", ip: "10.0.0.1" })).rejects.toThrow("Wrong email or password");
    await expect(authenticate(t.db, { email: "nobody@agency.test", password: "nope", ip: "10.0.0.1" })).rejects.toThrow("Wrong email or password");
  });

  it("throttles an account after five failures, even with the right password", async () => {
    await createUserFromCli(t.db, { email: "target@agency.test", password: "the-right-password", role: "viewer" });
    for (let i = 0; i < 5; i++) {
      await expect(authenticate(t.db, { email: "target@agency.test", password: `wrong-${i}`, ip: `10.1.0.${i}` })).rejects.toThrow("Wrong email or password");
    }
    await expect(authenticate(t.db, { email: "target@agency.test", password: "the-right-password", ip: "10.1.0.9" })).rejects.toThrow(
      /Too many failed sign-in attempts\. Try again in 1[45] minutes\./,
    );
    // Other accounts are not affected.
    await expect(authenticate(t.db, { email: "owner@agency.test", password: "a-long-password", ip: "10.2.0.1" })).resolves.toBeTruthy();
  });

  it("lets the CLI add later users to the organization with a role", async () => {
    const result = await createUserFromCli(t.db, { email: "ops@agency.test", password: "an-operator-password", role: "operator" });
    expect(result).toMatchObject({ role: "operator", org: { name: "Agency" } });
    await expect(createUserFromCli(t.db, { email: "ops@agency.test", password: "an-operator-password" })).rejects.toThrow("already exists");
    await expect(createUserFromCli(t.db, { email: "x@agency.test", password: "an-operator-password", orgName: "Nope" })).rejects.toThrow('No organization is named "Nope"');
  });
});
