import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import type { Role } from "@/shared/enum-values";

/** Most powerful first, as shown in role selects. */
export const ROLES_BY_RANK: Role[] = ["owner", "admin", "operator", "viewer"];

export const ROLE_DESCRIPTION: Record<Role, string> = {
  owner: "Everything, including adding, changing and removing owners.",
  admin: "Manages members, servers, storage locations and organization settings.",
  operator: "Manages projects and environments; takes and restores backups.",
  viewer: "Sees everything, changes nothing; downloads only if allowed in General settings.",
};

export type Member = inferRouterOutputs<AppRouter>["members"]["list"]["items"][number];
