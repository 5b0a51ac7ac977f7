import type { DbOrTx } from "@/server/db";
import type { Role, TwoFactorRequirement } from "@/server/db/schema";
import { listUserOrganizations } from "@/server/services/organizations";
import type { PendingStep, Principal } from "./principal";
import { liveSessionUser } from "./sessions";

/** Which of a user's organizations the browser is working in. */
export const ACTIVE_ORG_COOKIE = "safehold_org";

export function twoFactorRequiredFor(requirement: TwoFactorRequirement, role: Role): boolean {
  return requirement === "everyone" || (requirement === "admins" && (role === "owner" || role === "admin"));
}

/**
 * The principal behind a session cookie, in the preferred organization (or the user's first): null when the
 * session is no longer live or the user belongs to no organization.
 */
export async function principalForSession(db: DbOrTx, session: { userId: string; sessionId: string }, preferredOrgId?: string | null): Promise<Principal | null> {
  const user = await liveSessionUser(db, session.userId, session.sessionId);
  if (!user) return null;
  const orgs = await listUserOrganizations(db, user.id);
  const org = orgs.find((o) => o.id === preferredOrgId) ?? orgs[0];
  if (!org) return null;
  let pending: PendingStep | null = null;
  if (user.mustChangePassword) pending = "password_change";
  else if (!user.totpEnabledAt && twoFactorRequiredFor(org.twoFactorRequired, org.role)) pending = "two_factor_enrolment";
  return { userId: user.id, orgId: org.id, role: org.role, label: user.email, via: "session", sessionId: session.sessionId, pending };
}
