import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { hasRole, type Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { ROLES, memberships, users, type Role } from "@/server/db/schema";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/server/errors";
import { recordActivity } from "./activity";
import { emailSchema, findUserByEmail, insertUser, nameSchema, passwordSchema } from "./users";

export const memberItem = z.object({
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  lastSignInAt: z.string().nullable(),
  createdAt: z.string(),
});

export async function listMembers(db: DbOrTx, actor: Principal) {
  const rows = await db
    .select({ userId: users.id, email: users.email, name: users.name, role: memberships.role, lastSignInAt: users.lastSignInAt, createdAt: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.orgId, actor.orgId))
    .orderBy(asc(users.email));
  return rows.map((r) => ({ ...r, lastSignInAt: r.lastSignInAt?.toISOString() ?? null, createdAt: r.createdAt.toISOString() }));
}

/** Admins manage members, but only owners can create, change or remove owners. */
function assertCanAssign(actor: Principal, role: Role, currentRole?: Role) {
  if ((role === "owner" || currentRole === "owner") && !hasRole(actor.role, "owner")) {
    throw new ForbiddenError("Only an owner can add, change or remove owners");
  }
}

async function ownerCount(db: DbOrTx, orgId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.role, "owner")));
  return row?.n ?? 0;
}

async function findMembership(db: DbOrTx, actor: Principal, userId: string) {
  const [row] = await db
    .select({ role: memberships.role, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, actor.orgId), eq(memberships.userId, userId)));
  if (!row) throw new NotFoundError("Member");
  return row;
}

export const addMemberInput = z.object({
  email: emailSchema,
  name: nameSchema.default(""),
  /** The new user's first password; ignored when the email already has an account. */
  password: passwordSchema.optional(),
  role: z.enum(ROLES),
});

export async function addMember(db: DbOrTx, actor: Principal, input: z.infer<typeof addMemberInput>) {
  assertCanAssign(actor, input.role);
  return db.transaction(async (tx) => {
    let user = await findUserByEmail(tx, input.email);
    if (user) {
      const [existing] = await tx
        .select()
        .from(memberships)
        .where(and(eq(memberships.orgId, actor.orgId), eq(memberships.userId, user.id)));
      if (existing) throw new ConflictError(`${input.email} is already a member`);
    } else {
      if (!input.password) throw new ValidationError("Set a first password for the new member", { password: "Set a first password: the new member signs in with it" });
      user = await insertUser(tx, { email: input.email, name: input.name, password: input.password });
    }
    await tx.insert(memberships).values({ orgId: actor.orgId, userId: user.id, role: input.role });
    await recordActivity(tx, actor, { action: "member.add", targetType: "member", targetId: user.id, targetLabel: user.email, message: `Added as ${input.role}` });
    return { userId: user.id };
  });
}

export const changeRoleInput = z.object({ userId: z.uuid(), role: z.enum(ROLES) });

export async function changeMemberRole(db: DbOrTx, actor: Principal, input: z.infer<typeof changeRoleInput>) {
  return db.transaction(async (tx) => {
    const member = await findMembership(tx, actor, input.userId);
    assertCanAssign(actor, input.role, member.role);
    if (member.role === "owner" && input.role !== "owner" && (await ownerCount(tx, actor.orgId)) <= 1) {
      throw new ConflictError("The organization needs at least one owner: make someone else owner first");
    }
    await tx.update(memberships).set({ role: input.role }).where(and(eq(memberships.orgId, actor.orgId), eq(memberships.userId, input.userId)));
    await recordActivity(tx, actor, { action: "member.change_role", targetType: "member", targetId: input.userId, targetLabel: member.email, message: `${member.role} → ${input.role}` });
  });
}

export const removeMemberInput = z.object({ userId: z.uuid() });

export async function removeMember(db: DbOrTx, actor: Principal, input: z.infer<typeof removeMemberInput>) {
  return db.transaction(async (tx) => {
    const member = await findMembership(tx, actor, input.userId);
    assertCanAssign(actor, member.role, member.role);
    if (member.role === "owner" && (await ownerCount(tx, actor.orgId)) <= 1) {
      throw new ConflictError("The last owner cannot be removed");
    }
    await tx.delete(memberships).where(and(eq(memberships.orgId, actor.orgId), eq(memberships.userId, input.userId)));
    await recordActivity(tx, actor, { action: "member.remove", targetType: "member", targetId: input.userId, targetLabel: member.email });
  });
}
