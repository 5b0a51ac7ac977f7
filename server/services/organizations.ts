import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { memberships, organizations } from "@/server/db/schema";
import { NotFoundError } from "@/server/errors";
import { recordActivity } from "./activity";

export const organizationItem = z.object({
  id: z.string(),
  name: z.string(),
  viewersCanDownload: z.boolean(),
});

export const updateOrganizationInput = z.object({
  name: z.string().trim().min(1, "Name the organization").max(100).optional(),
  viewersCanDownload: z.boolean().optional(),
});

export async function getOrganization(db: DbOrTx, actor: Principal) {
  const [org] = await db.select().from(organizations).where(eq(organizations.id, actor.orgId));
  if (!org) throw new NotFoundError("Organization");
  return { id: org.id, name: org.name, viewersCanDownload: org.viewersCanDownload };
}

export async function updateOrganization(db: DbOrTx, actor: Principal, input: z.infer<typeof updateOrganizationInput>) {
  const [org] = await db.update(organizations).set(input).where(eq(organizations.id, actor.orgId)).returning();
  if (!org) throw new NotFoundError("Organization");
  await recordActivity(db, actor, { action: "organization.update", targetType: "organization", targetId: org.id, targetLabel: org.name });
  return { id: org.id, name: org.name, viewersCanDownload: org.viewersCanDownload };
}

/** The organizations a user belongs to, oldest membership first (the default one). */
export async function listUserOrganizations(db: DbOrTx, userId: string) {
  return db
    .select({ id: organizations.id, name: organizations.name, role: memberships.role })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(memberships.createdAt));
}
