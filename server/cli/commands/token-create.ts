import { and, eq } from "drizzle-orm";
import type { Principal } from "@/server/auth/principal";
import { memberships, organizations } from "@/server/db/schema";
import { createApiToken } from "@/server/services/api-tokens";
import { findUserByEmail } from "@/server/services/users";
import { withDatabase } from "./with-database";

/** Prints a new API token for a user; the token is the last line of output. */
export async function tokenCreateCommand(options: { email?: string; name?: string; org?: string }): Promise<void> {
  if (!options.email || !options.name) throw new Error("Usage: safehold token create --email E --name N [--org NAME]");
  const { token, orgName, role } = await withDatabase(async (db) => {
    const user = await findUserByEmail(db, options.email!);
    if (!user) throw new Error(`No user has the email ${options.email}`);
    const rows = await db
      .select({ orgId: memberships.orgId, role: memberships.role, orgName: organizations.name })
      .from(memberships)
      .innerJoin(organizations, eq(organizations.id, memberships.orgId))
      .where(and(eq(memberships.userId, user.id), ...(options.org ? [eq(organizations.name, options.org)] : [])))
      .orderBy(memberships.createdAt);
    const membership = rows[0];
    if (!membership) throw new Error(options.org ? `${user.email} is not a member of "${options.org}"` : `${user.email} belongs to no organization`);
    const actor: Principal = { userId: user.id, orgId: membership.orgId, role: membership.role, label: `${user.email} (CLI)`, via: "cli" };
    const created = await createApiToken(db, actor, { name: options.name! });
    return { token: created.token, orgName: membership.orgName, role: membership.role };
  });
  console.log(`API token "${options.name}" for ${options.email} (${role} of "${orgName}"). It is shown only this once:`);
  console.log(token);
}
