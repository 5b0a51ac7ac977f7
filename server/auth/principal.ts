import type { Role } from "@/server/db/schema";

/** Who is calling, in which organization, with which role. Every service call that reads or writes org data takes one. */
export type Principal = {
  userId: string | null;
  orgId: string;
  role: Role;
  /** As the activity log shows it. */
  label: string;
  via: "session" | "token" | "cli" | "system";
  /** The browser session behind a `session` principal, so the user's own account pages can tell it apart. */
  sessionId?: string;
  /** What a signed-in user must do before anything else: replace a temporary password, or set up two-factor sign-in. */
  pending?: PendingStep | null;
};

export type PendingStep = "password_change" | "two_factor_enrolment";

/** How the activity log names the console itself; the Activity page's "System" rows are the ones with this label and no user. */
export const SYSTEM_ACTOR_LABEL = "Safehold";

/** The console itself, acting on its own schedule (scheduler, retention, reapers), as the activity log shows it. */
export function safeholdActor(orgId: string): Principal {
  return { userId: null, orgId, role: "owner", label: SYSTEM_ACTOR_LABEL, via: "system" };
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2, owner: 3 };

export function hasRole(role: Role, atLeast: Role): boolean {
  return RANK[role] >= RANK[atLeast];
}
