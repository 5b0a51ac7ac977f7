import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { memberships, organizations, TWO_FACTOR_REQUIREMENTS } from "@/server/db/schema";
import { ForbiddenError, NotFoundError } from "@/server/errors";
import { hasRole } from "@/server/auth/principal";
import { recordActivity } from "./activity";

export const organizationItem = z.object({
  id: z.string(),
  name: z.string(),
  viewersCanDownload: z.boolean(),
  twoFactorRequired: z.enum(TWO_FACTOR_REQUIREMENTS),
});

export const updateOrganizationInput = z.object({
  name: z.string().trim().min(1, "Name the organization").max(100).optional(),
  viewersCanDownload: z.boolean().optional(),
  /** Who must use two-factor sign-in; members without it are sent to set it up at their next request. Owners only. */
  twoFactorRequired: z.enum(TWO_FACTOR_REQUIREMENTS).optional(),
});

function toItem(org: typeof organizations.$inferSelect) {
  return { id: org.id, name: org.name, viewersCanDownload: org.viewersCanDownload, twoFactorRequired: org.twoFactorRequired };
}

export async function getOrganization(db: DbOrTx, actor: Principal) {
  const [org] = await db.select().from(organizations).where(eq(organizations.id, actor.orgId));
  if (!org) throw new NotFoundError("Organization");
  return toItem(org);
}

export async function updateOrganization(db: DbOrTx, actor: Principal, input: z.infer<typeof updateOrganizationInput>) {
  if (input.twoFactorRequired !== undefined && !hasRole(actor.role, "owner")) {
    const current = await getOrganization(db, actor);
    if (current.twoFactorRequired !== input.twoFactorRequired) throw new ForbiddenError("Only an owner can change who must use two-factor sign-in");
  }
  const [org] = await db.update(organizations).set(input).where(eq(organizations.id, actor.orgId)).returning();
  if (!org) throw new NotFoundError("Organization");
  const message = input.twoFactorRequired !== undefined ? `Two-factor sign-in required for: ${input.twoFactorRequired}` : undefined;
  await recordActivity(db, actor, { action: "organization.update", targetType: "organization", targetId: org.id, targetLabel: org.name, message });
  return toItem(org);
}

/** The organizations a user belongs to, oldest membership first (the default one). */
export async function listUserOrganizations(db: DbOrTx, userId: string) {
  return db
    .select({ id: organizations.id, name: organizations.name, role: memberships.role, twoFactorRequired: organizations.twoFactorRequired })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(memberships.createdAt));
}
