import { eq, sql } from "drizzle-orm";
import { endAllSessions } from "@/server/auth/sessions";
import { z } from "zod";
import { hashPassword } from "@/server/auth/password";
import { assertPasswordFor, newPasswordSchema } from "@/server/auth/password-policy";
import type { DbOrTx } from "@/server/db";
import { memberships, organizations, users, type Role } from "@/server/db/schema";
import { ConflictError, NotFoundError } from "@/server/errors";
import { clearTwoFactor } from "./account";
import { ensureOrganizationKey } from "./organization-keys";

export const emailSchema = z.string().trim().toLowerCase().pipe(z.email({ message: "Enter a valid email address" }));
export const nameSchema = z.string().trim().max(100);

export async function countUsers(db: DbOrTx): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(users);
  return row?.n ?? 0;
}

export async function findUserByEmail(db: DbOrTx, email: string) {
  const [user] = await db
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = ${email.toLowerCase()}`)
    .limit(1);
  return user;
}

export async function insertUser(db: DbOrTx, input: { email: string; name: string; password: string }) {
  if (await findUserByEmail(db, input.email)) throw new ConflictError(`A user with the email ${input.email} already exists`);
  assertPasswordFor(input.password, input);
  const [user] = await db
    .insert(users)
    .values({ email: input.email.toLowerCase(), name: input.name, passwordHash: await hashPassword(input.password) })
    .returning();
  return user!;
}

export const firstOwnerInput = z.object({
  email: emailSchema,
  name: nameSchema.default(""),
  password: newPasswordSchema,
  organizationName: z.string().trim().min(1, "Name your organization").max(100),
});

/** First run: the first user creates the organization and becomes its owner. Refused once anyone exists. */
export async function createFirstOwner(db: DbOrTx, input: z.infer<typeof firstOwnerInput>) {
  return db.transaction(async (tx) => {
    // Serialises concurrent setup requests so only one can win.
    await tx.execute(sql`select pg_advisory_xact_lock(7261002)`);
    if ((await countUsers(tx)) > 0) throw new ConflictError("Safehold is already set up: sign in instead");
    const user = await insertUser(tx, input);
    const [org] = await tx.insert(organizations).values({ name: input.organizationName }).returning();
    await tx.insert(memberships).values({ orgId: org!.id, userId: user.id, role: "owner" });
    await ensureOrganizationKey(tx, org!.id);
    return { user, org: org! };
  });
}

/**
 * The CLI's `user create`: the first user creates the organization (named `orgName`, default "My organization")
 * and becomes its owner; later users join the organization named `orgName` (or the only one) with `role`.
 */
export async function createUserFromCli(
  db: DbOrTx,
  input: { email: string; password: string; name?: string; orgName?: string; role?: Role },
) {
  const email = emailSchema.parse(input.email);
  const password = newPasswordSchema.parse(input.password);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(7261002)`);
    if ((await countUsers(tx)) === 0) {
      const user = await insertUser(tx, { email, password, name: input.name ?? "" });
      const [org] = await tx
        .insert(organizations)
        .values({ name: input.orgName ?? "My organization" })
        .returning();
      await tx.insert(memberships).values({ orgId: org!.id, userId: user.id, role: "owner" });
      await ensureOrganizationKey(tx, org!.id);
      return { user, org: org!, role: "owner" as Role };
    }
    const orgs = input.orgName
      ? await tx.select().from(organizations).where(eq(organizations.name, input.orgName))
      : await tx.select().from(organizations);
    if (orgs.length === 0) throw new ConflictError(`No organization is named "${input.orgName}"`);
    if (orgs.length > 1) throw new ConflictError(`Several organizations exist: choose one with --org (${orgs.map((o) => o.name).join(", ")})`);
    const role = input.role ?? "viewer";
    const user = await insertUser(tx, { email, password, name: input.name ?? "" });
    await tx.insert(memberships).values({ orgId: orgs[0]!.id, userId: user.id, role });
    return { user, org: orgs[0]!, role };
  });
}

/**
 * The CLI's `user reset-password`: a new password for a user who cannot sign in (or a temporary one to change at
 * next sign-in), optionally without their second factor; every session of theirs ends.
 */
export async function resetPasswordFromCli(db: DbOrTx, input: { email: string; password: string; temporary: boolean; resetTwoFactor: boolean }) {
  const password = newPasswordSchema.parse(input.password);
  return db.transaction(async (tx) => {
    const user = await findUserByEmail(tx, emailSchema.parse(input.email));
    if (!user) throw new NotFoundError(`User ${input.email}`);
    assertPasswordFor(password, user);
    await tx
      .update(users)
      .set({ passwordHash: await hashPassword(password), mustChangePassword: input.temporary, passwordChangedAt: input.temporary ? null : new Date() })
      .where(eq(users.id, user.id));
    if (input.resetTwoFactor) await clearTwoFactor(tx, user.id);
    await endAllSessions(tx, user.id);
    return user;
  });
}
