import path from "node:path";
import { createCaller } from "@/server/api/root";
import type { Principal } from "@/server/auth/principal";
import type { Db } from "@/server/db";
import { memberships, organizations, type Role } from "@/server/db/schema";
import { PluginHost } from "@/server/plugins/host";
import { insertUser } from "@/server/services/users";

export const BUILTIN_PLUGINS = path.resolve(import.meta.dirname, "../../plugins");

export const TEST_PASSWORD = "test-password-123";

/** An organization with one member per role, and their principals. */
export async function createOrgWithMembers(db: Db, name: string) {
  const [org] = await db.insert(organizations).values({ name }).returning();
  const principals = {} as Record<Role, Principal>;
  for (const role of ["owner", "admin", "operator", "viewer"] as const) {
    const email = `${role}@${name.toLowerCase().replace(/\W+/g, "-")}.test`;
    const user = await insertUser(db, { email, name: `${role} of ${name}`, password: TEST_PASSWORD });
    await db.insert(memberships).values({ orgId: org!.id, userId: user.id, role });
    principals[role] = { userId: user.id, orgId: org!.id, role, label: email, via: "session" };
  }
  return { org: org!, principals };
}

export function callerFor(db: Db, plugins: PluginHost, principal: Principal | null) {
  return createCaller({ db, plugins, principal });
}

export function builtinPluginHost(): PluginHost {
  return new PluginHost(BUILTIN_PLUGINS);
}
