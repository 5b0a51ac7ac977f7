import type { Role } from "@/server/db/schema";

/** Who is calling, in which organization, with which role. Every service call that reads or writes org data takes one. */
export type Principal = {
  userId: string | null;
  orgId: string;
  role: Role;
  /** As the activity log shows it. */
  label: string;
  via: "session" | "token" | "cli" | "system";
};

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2, owner: 3 };

export function hasRole(role: Role, atLeast: Role): boolean {
  return RANK[role] >= RANK[atLeast];
}
