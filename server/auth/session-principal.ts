import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import { users } from "@/server/db/schema";
import { listUserOrganizations } from "@/server/services/organizations";
import type { Principal } from "./principal";

/** Which of a user's organizations the browser is working in. */
export const ACTIVE_ORG_COOKIE = "safehold_org";

/** A signed-in user's principal in the preferred organization (or their first), or null when they belong to none. */
export async function principalForUser(db: DbOrTx, userId: string, preferredOrgId?: string | null): Promise<Principal | null> {
  const [user] = await db.select({ email: users.email }).from(users).where(eq(users.id, userId));
  if (!user) return null;
  const orgs = await listUserOrganizations(db, userId);
  const org = orgs.find((o) => o.id === preferredOrgId) ?? orgs[0];
  if (!org) return null;
  return { userId, orgId: org.id, role: org.role, label: user.email, via: "session" };
}
