import { randomUUID } from "node:crypto";
import { and, asc, count, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import { generateAgeKeyPair } from "@/server/crypto/age-stream";
import type { DbOrTx } from "@/server/db";
import { backupArtifacts, organizationKeys, organizations, users } from "@/server/db/schema";
import { openSecret, SEALED_COLUMNS, sealSecret } from "@/server/db/sealed-columns";
import { ConflictError, NotFoundError, ValidationError } from "@/server/errors";
import { recordActivity } from "./activity";
import { recoveryKitFileName, recoveryKitText } from "./recovery-kit";

export const organizationKeyItem = z.object({
  id: z.string(),
  recipient: z.string(),
  createdAt: z.string(),
  retiredAt: z.string().nullable(),
  kitConfirmedAt: z.string().nullable(),
  kitConfirmedBy: z.string().nullable(),
  /** How many stored backup files are encrypted to this key. */
  encryptedFiles: z.number(),
});
export const recoveryKit = z.object({ keyId: z.string(), fileName: z.string(), text: z.string(), organization: z.string(), recipient: z.string(), createdAt: z.string() });
export const rotateOrganizationKeyInput = z.object({ confirm: z.string() });
export const ROTATE_CONFIRMATION = "ROTATE";

/** A new current key for `orgId`, its private half sealed for its row. The caller retires the previous one first. */
async function insertKey(db: DbOrTx, orgId: string) {
  const pair = await generateAgeKeyPair();
  const id = randomUUID();
  const [row] = await db
    .insert(organizationKeys)
    .values({ id, orgId, recipient: pair.recipient, identity: sealSecret(SEALED_COLUMNS.organizationKeyIdentity, id, pair.identity) })
    .returning();
  return row!;
}

/** The key new backups of `orgId` are encrypted to, if it has one. */
export async function currentOrganizationKey(db: DbOrTx, orgId: string) {
  const [row] = await db
    .select({ id: organizationKeys.id, recipient: organizationKeys.recipient })
    .from(organizationKeys)
    .where(and(eq(organizationKeys.orgId, orgId), isNull(organizationKeys.retiredAt)));
  return row ?? null;
}

/**
 * The current key of `orgId`, made now when it has none (a new organization, or one that had encryption off).
 * Two callers at once both end with the one key the unique index let in.
 */
export async function ensureOrganizationKey(db: DbOrTx, orgId: string): Promise<{ id: string; recipient: string; created: boolean }> {
  const existing = await currentOrganizationKey(db, orgId);
  if (existing) return { ...existing, created: false };
  try {
    const row = await insertKey(db, orgId);
    return { id: row.id, recipient: row.recipient, created: true };
  } catch (err) {
    const raced = await currentOrganizationKey(db, orgId);
    if (raced) return { ...raced, created: false };
    throw err;
  }
}

/** Every private key of `orgId` (current and retired), to decrypt whichever one a backup was encrypted to. */
export async function organizationIdentities(db: DbOrTx, orgId: string): Promise<string[]> {
  const rows = await db.select({ id: organizationKeys.id, identity: organizationKeys.identity }).from(organizationKeys).where(eq(organizationKeys.orgId, orgId));
  return rows.map((row) => openSecret(SEALED_COLUMNS.organizationKeyIdentity, row.id, row.identity));
}

function toItem(row: typeof organizationKeys.$inferSelect, confirmedBy: string | null, encryptedFiles: number): z.infer<typeof organizationKeyItem> {
  return {
    id: row.id,
    recipient: row.recipient,
    createdAt: row.createdAt.toISOString(),
    retiredAt: row.retiredAt?.toISOString() ?? null,
    kitConfirmedAt: row.kitConfirmedAt?.toISOString() ?? null,
    kitConfirmedBy: confirmedBy,
    encryptedFiles,
  };
}

/** Every key of the actor's organization, current first then newest first, with how many backup files use each. */
export async function listOrganizationKeys(db: DbOrTx, actor: Principal) {
  const [rows, counts] = await Promise.all([
    db
      .select({ key: organizationKeys, confirmedBy: users.email })
      .from(organizationKeys)
      .leftJoin(users, eq(users.id, organizationKeys.kitConfirmedBy))
      .where(eq(organizationKeys.orgId, actor.orgId))
      .orderBy(asc(organizationKeys.createdAt)),
    db
      .select({ keyId: backupArtifacts.encryptionKeyId, files: count() })
      .from(backupArtifacts)
      .innerJoin(organizationKeys, eq(organizationKeys.id, backupArtifacts.encryptionKeyId))
      .where(eq(organizationKeys.orgId, actor.orgId))
      .groupBy(backupArtifacts.encryptionKeyId),
  ]);
  const files = new Map(counts.map((c) => [c.keyId, c.files]));
  return rows
    .map((r) => toItem(r.key, r.confirmedBy, files.get(r.key.id) ?? 0))
    .sort((a, b) => Number(a.retiredAt !== null) - Number(b.retiredAt !== null) || b.createdAt.localeCompare(a.createdAt));
}

async function findKey(db: DbOrTx, actor: Principal, id: string) {
  const [row] = await db.select().from(organizationKeys).where(and(eq(organizationKeys.id, id), eq(organizationKeys.orgId, actor.orgId)));
  if (!row) throw new NotFoundError("Organization key");
  return row;
}

async function organizationName(db: DbOrTx, orgId: string): Promise<string> {
  const [org] = await db.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, orgId));
  return org?.name ?? "organization";
}

/** "Create the organization key": for an organization that has none yet (an owner's explicit step). */
export async function createOrganizationKey(db: DbOrTx, actor: Principal) {
  const key = await ensureOrganizationKey(db, actor.orgId);
  if (!key.created) throw new ConflictError("The organization already has a key: rotate it to replace it");
  await recordActivity(db, actor, { action: "organization_key.create", targetType: "organization", targetId: actor.orgId, message: `Created the organization key ${key.recipient}` });
  return (await listOrganizationKeys(db, actor)).find((k) => k.id === key.id)!;
}

/**
 * The recovery kit of one key: its private half in age-keygen's file format, with how to decrypt a backup with it.
 * Offered until an owner confirms having saved it; never again after that. Every download is recorded.
 */
export async function getRecoveryKit(db: DbOrTx, actor: Principal, id: string): Promise<z.infer<typeof recoveryKit>> {
  const key = await findKey(db, actor, id);
  if (key.kitConfirmedAt) {
    throw new ConflictError("The recovery kit of this key was already saved and confirmed; the console does not hand out the private key again. Use the copy you saved, or rotate the organization key to get a new kit");
  }
  const name = await organizationName(db, actor.orgId);
  const identity = openSecret(SEALED_COLUMNS.organizationKeyIdentity, key.id, key.identity);
  await recordActivity(db, actor, {
    action: "organization_key.kit_download",
    targetType: "organization",
    targetId: actor.orgId,
    targetLabel: name,
    message: `Downloaded the recovery kit of the organization key ${key.recipient}`,
    details: { keyId: key.id },
  });
  return {
    keyId: key.id,
    fileName: recoveryKitFileName(name, key.recipient),
    text: recoveryKitText({ organization: name, createdAt: key.createdAt, recipient: key.recipient, identity }),
    organization: name,
    recipient: key.recipient,
    createdAt: key.createdAt.toISOString(),
  };
}

/** An owner confirms having saved the kit of key `id`: from then on the console never sends its private half. */
export async function confirmRecoveryKit(db: DbOrTx, actor: Principal, id: string) {
  const key = await findKey(db, actor, id);
  if (key.kitConfirmedAt) throw new ConflictError("The recovery kit of this key was already confirmed");
  await db.update(organizationKeys).set({ kitConfirmedAt: new Date(), kitConfirmedBy: actor.userId }).where(eq(organizationKeys.id, key.id));
  await recordActivity(db, actor, { action: "organization_key.kit_confirm", targetType: "organization", targetId: actor.orgId, message: `Confirmed having saved the recovery kit of ${key.recipient}`, details: { keyId: key.id } });
  return (await listOrganizationKeys(db, actor)).find((k) => k.id === key.id)!;
}

/**
 * A new current key: backups from now on are encrypted to it; the previous one is retired but kept, so older
 * backups stay readable. The new key has its own kit to save.
 */
export async function rotateOrganizationKey(db: DbOrTx, actor: Principal, input: z.infer<typeof rotateOrganizationKeyInput>) {
  if (input.confirm !== ROTATE_CONFIRMATION) throw new ValidationError(`Type ${ROTATE_CONFIRMATION} to confirm: new backups will be encrypted to a new key`, { confirm: `Type ${ROTATE_CONFIRMATION} to confirm` });
  const created = await db.transaction(async (tx) => {
    const retired = await tx
      .update(organizationKeys)
      .set({ retiredAt: new Date() })
      .where(and(eq(organizationKeys.orgId, actor.orgId), isNull(organizationKeys.retiredAt)))
      .returning({ recipient: organizationKeys.recipient });
    const row = await insertKey(tx, actor.orgId);
    await recordActivity(tx, actor, {
      action: "organization_key.rotate",
      targetType: "organization",
      targetId: actor.orgId,
      message: `New organization key ${row.recipient}${retired[0] ? `; retired ${retired[0].recipient} (kept to read older backups)` : ""}`,
      details: { keyId: row.id },
    });
    return row;
  });
  return (await listOrganizationKeys(db, actor)).find((k) => k.id === created.id)!;
}
