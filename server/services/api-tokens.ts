import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { apiTokens, memberships, users } from "@/server/db/schema";
import { ForbiddenError, NotFoundError, ValidationError } from "@/server/errors";
import { recordActivity } from "./activity";

const TOKEN_PREFIX = "shk_";

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export const createTokenInput = z.object({
  name: z.string().trim().min(1, "Name the token (e.g. what uses it)").max(100),
  /** Days until the token stops working: 30, 90 or 365; null (the default) for a token that never expires. */
  expiresInDays: z
    .union([z.literal(30), z.literal(90), z.literal(365)])
    .nullable()
    .default(null),
});

export const tokenItem = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  lastUsedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  createdAt: z.string(),
});

/**
 * Creates a token for the actor's user in the actor's organization. The token is returned once; only its hash is
 * kept. Only a signed-in person (or the CLI on the console's machine) can: a leaked token must not be able to
 * mint itself successors that outlive its revocation.
 */
export async function createApiToken(db: DbOrTx, actor: Principal, input: z.input<typeof createTokenInput>) {
  if (!actor.userId) throw new ValidationError("API tokens belong to a user");
  if (actor.via === "token") throw new ForbiddenError("An API token cannot create API tokens: sign in to the console (Settings › Account) to create one");
  const token = TOKEN_PREFIX + randomBytes(24).toString("base64url");
  const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 24 * 3600_000) : null;
  const [row] = await db
    .insert(apiTokens)
    .values({ orgId: actor.orgId, userId: actor.userId, name: input.name, tokenHash: hashToken(token), prefix: token.slice(0, TOKEN_PREFIX.length + 6), expiresAt })
    .returning();
  await recordActivity(db, actor, { action: "api_token.create", targetType: "api_token", targetId: row!.id, targetLabel: input.name });
  return { token, item: toItem(row!) };
}

function toItem(row: typeof apiTokens.$inferSelect) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function listApiTokens(db: DbOrTx, actor: Principal) {
  if (!actor.userId) return [];
  const rows = await db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.orgId, actor.orgId), eq(apiTokens.userId, actor.userId)))
    .orderBy(desc(apiTokens.createdAt));
  return rows.map(toItem);
}

export async function revokeApiToken(db: DbOrTx, actor: Principal, input: { id: string }) {
  const [row] = await db
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.id, input.id), eq(apiTokens.orgId, actor.orgId), eq(apiTokens.userId, actor.userId ?? ""), isNull(apiTokens.revokedAt)))
    .returning();
  if (!row) throw new NotFoundError("Active API token");
  await recordActivity(db, actor, { action: "api_token.revoke", targetType: "api_token", targetId: row.id, targetLabel: row.name });
}

/** The principal behind a bearer token (not revoked, not expired): its user's current role in the token's organization, or null. */
export async function principalForToken(db: DbOrTx, token: string): Promise<Principal | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const [row] = await db
    .select({ id: apiTokens.id, name: apiTokens.name, orgId: apiTokens.orgId, userId: apiTokens.userId, lastUsedAt: apiTokens.lastUsedAt, role: memberships.role, email: users.email })
    .from(apiTokens)
    .innerJoin(memberships, and(eq(memberships.orgId, apiTokens.orgId), eq(memberships.userId, apiTokens.userId)))
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, hashToken(token)), isNull(apiTokens.revokedAt), or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, sql`now()`))));
  if (!row) return null;
  const minuteAgo = new Date(Date.now() - 60_000);
  if (!row.lastUsedAt || row.lastUsedAt < minuteAgo) {
    await db
      .update(apiTokens)
      .set({ lastUsedAt: new Date() })
      .where(and(eq(apiTokens.id, row.id), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, minuteAgo))));
  }
  return { userId: row.userId, orgId: row.orgId, role: row.role, label: `${row.email} (API token "${row.name}")`, via: "token" };
}
