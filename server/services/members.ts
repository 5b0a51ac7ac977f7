import { randomInt } from "node:crypto";
import { and, asc, eq, ne } from "drizzle-orm";
import { z } from "zod";
import { hashPassword } from "@/server/auth/password";
import { hasRole, type Principal } from "@/server/auth/principal";
import { endAllSessions } from "@/server/auth/sessions";
import type { DbOrTx } from "@/server/db";
import { ROLES, memberships, users, type Role } from "@/server/db/schema";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/server/errors";
import { clearTwoFactor } from "./account";
import { recordActivity } from "./activity";
import { newPasswordSchema } from "@/server/auth/password-policy";
import { emailSchema, findUserByEmail, insertUser, nameSchema } from "./users";

export const memberItem = z.object({
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  lastSignInAt: z.string().nullable(),
  twoFactor: z.boolean(),
  mustChangePassword: z.boolean(),
  createdAt: z.string(),
});

export async function listMembers(db: DbOrTx, actor: Principal) {
  const rows = await db
    .select({
      userId: users.id,
      email: users.email,
      name: users.name,
      role: memberships.role,
      lastSignInAt: users.lastSignInAt,
      totpEnabledAt: users.totpEnabledAt,
      mustChangePassword: users.mustChangePassword,
      createdAt: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.orgId, actor.orgId))
    .orderBy(asc(users.email));
  return rows.map(({ totpEnabledAt, ...r }) => ({
    ...r,
    twoFactor: Boolean(totpEnabledAt),
    lastSignInAt: r.lastSignInAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
  }));
}

/** Admins manage members, but only owners can create, change or remove owners. */
function assertCanAssign(actor: Principal, role: Role, currentRole?: Role) {
  if ((role === "owner" || currentRole === "owner") && !hasRole(actor.role, "owner")) {
    throw new ForbiddenError("Only an owner can add, change or remove owners");
  }
}

/**
 * The organization's owners, with their rows locked until the transaction ends: two admins demoting two owners
 * at once queue here, and the second sees the first one's change, so the last owner cannot disappear.
 */
async function lockedOwnerCount(tx: DbOrTx, orgId: string): Promise<number> {
  const rows = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.role, "owner")))
    .for("update");
  return rows.length;
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
  password: newPasswordSchema.optional(),
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
      // A new account is a new way in that outlives any token: like creating tokens, it takes a signed-in person.
      if (actor.via === "token") throw new ForbiddenError(`${input.email} has no account on this console: sign in to the console to create one (an API token can only add existing accounts)`);
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
    if (member.role === "owner" && input.role !== "owner" && (await lockedOwnerCount(tx, actor.orgId)) <= 1) {
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
    if (member.role === "owner" && (await lockedOwnerCount(tx, actor.orgId)) <= 1) {
      throw new ConflictError("The last owner cannot be removed");
    }
    await tx.delete(memberships).where(and(eq(memberships.orgId, actor.orgId), eq(memberships.userId, input.userId)));
    // Whatever the removed person had open (a browser left signed in) ends now, not at the cookie's expiry.
    await endAllSessions(tx, input.userId);
    await recordActivity(tx, actor, { action: "member.remove", targetType: "member", targetId: input.userId, targetLabel: member.email });
  });
}

/**
 * An admin may reset another member's password or second factor only when that person belongs to this
 * organization alone: otherwise an admin here could take over their account in an organization where the admin
 * has no say.
 */
async function assertResettable(db: DbOrTx, actor: Principal, userId: string) {
  if (userId === actor.userId) throw new ForbiddenError("Change your own password and two-factor sign-in under Settings › Account");
  const member = await findMembership(db, actor, userId);
  assertCanAssign(actor, member.role, member.role);
  const [elsewhere] = await db
    .select({ orgId: memberships.orgId })
    .from(memberships)
    .where(and(eq(memberships.userId, userId), ne(memberships.orgId, actor.orgId)))
    .limit(1);
  if (elsewhere) {
    throw new ForbiddenError(`${member.email} also belongs to another organization: they can reset it themselves, or the console's operator can with \`safehold user reset-password\``);
  }
  return member;
}

// Easy to read out and type: no 0/O/1/l/I.
const TEMPORARY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";

function temporaryPassword(): string {
  const chars = Array.from({ length: 16 }, () => TEMPORARY_ALPHABET[randomInt(TEMPORARY_ALPHABET.length)]).join("");
  return chars.match(/.{4}/g)!.join("-");
}

export const resetMemberInput = z.object({ userId: z.uuid() });

/**
 * Gives a member a one-time temporary password (returned once, to be passed on); they must choose their own at
 * their next sign-in, and every session they had ends.
 */
export async function resetMemberPassword(db: DbOrTx, actor: Principal, input: z.infer<typeof resetMemberInput>) {
  return db.transaction(async (tx) => {
    const member = await assertResettable(tx, actor, input.userId);
    const password = temporaryPassword();
    await tx.update(users).set({ passwordHash: await hashPassword(password), mustChangePassword: true }).where(eq(users.id, input.userId));
    await endAllSessions(tx, input.userId);
    await recordActivity(tx, actor, { action: "member.reset_password", targetType: "member", targetId: input.userId, targetLabel: member.email, message: "Temporary password issued; sessions ended" });
    return { temporaryPassword: password };
  });
}

/** An owner turns off a member's two-factor sign-in (a lost phone); the member sets it up again at their next sign-in if required. */
export async function resetMemberTwoFactor(db: DbOrTx, actor: Principal, input: z.infer<typeof resetMemberInput>) {
  return db.transaction(async (tx) => {
    const member = await assertResettable(tx, actor, input.userId);
    await clearTwoFactor(tx, input.userId);
    await endAllSessions(tx, input.userId);
    await recordActivity(tx, actor, { action: "member.reset_two_factor", targetType: "member", targetId: input.userId, targetLabel: member.email, message: "Two-factor sign-in turned off; sessions ended" });
  });
}
