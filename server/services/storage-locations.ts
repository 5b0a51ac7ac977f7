import { randomUUID } from "node:crypto";
import { and, asc, eq, gt, ne, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { backups, storageLocations } from "@/server/db/schema";
import { SEALED_COLUMNS, sealSecret } from "@/server/db/sealed-columns";
import { hasRole } from "@/server/auth/principal";
import { ConflictError, ForbiddenError, NotFoundError } from "@/server/errors";
import type { TestResult } from "@/server/plugins/contracts";
import type { PluginHost } from "@/server/plugins/host";
import { recordActivity } from "./activity";
import { decodeCursor, pageInput, pageSchema, toPage } from "./pagination";
import { configRecord, presentConfig, readableSecrets, storedConfig, takeConfig } from "./plugin-config";
import { callContext, testOptions } from "@/server/plugins/call-context";

export const storageLocationItem = z.object({
  id: z.string(),
  name: z.string(),
  provider: z.string(),
  config: configRecord,
  isDefault: z.boolean(),
  backupCount: z.number(),
  /** Bytes of the completed backups kept there. */
  bytesUsed: z.number(),
  createdAt: z.string(),
});
export const storageLocationPage = pageSchema(storageLocationItem);

export const listStorageLocationsInput = z.object(pageInput);
export const createStorageLocationInput = z.object({
  name: z.string().trim().min(1, "Name the storage location").max(100),
  provider: z.string().min(1).max(50),
  config: configRecord.default({}),
  isDefault: z.boolean().optional(),
});
export const updateStorageLocationInput = z.object({
  id: z.uuid(),
  name: createStorageLocationInput.shape.name.optional(),
  config: configRecord.optional(),
  isDefault: z.boolean().optional(),
});
/** A saved location as it is (any operator), or edited or new settings (admins: they decide where backups go). */
export const testStorageLocationInput = z.union([
  z.object({ id: z.uuid(), config: configRecord.optional() }),
  z.object({ provider: z.string().min(1).max(50), config: configRecord.default({}) }),
]);

type LocationRow = typeof storageLocations.$inferSelect;
const CONFIG_FIELDS = { kindField: "provider", configField: "config" };
const SECRETS = SEALED_COLUMNS.storageLocationSecrets;

// Counted through a join: drizzle leaves columns unqualified in a single-table select, which a correlated subquery would misread.
const backupCount = sql<number>`count(${backups.id})::int`;
const bytesUsed = sql<number>`coalesce(sum(${backups.sizeBytes}) filter (where ${backups.status} = 'completed'), 0)::float8`;

type Usage = { backupCount: number; bytesUsed: number };

function toItem(plugins: PluginHost, row: LocationRow & Usage) {
  return {
    id: row.id,
    name: row.name,
    provider: row.provider,
    config: presentConfig(plugins, "storageProviders", row.provider, row.config, readableSecrets(SECRETS, row.id, row.secrets)),
    isDefault: row.isDefault,
    backupCount: row.backupCount,
    bytesUsed: row.bytesUsed,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function listStorageLocations(db: DbOrTx, plugins: PluginHost, actor: Principal, input: z.infer<typeof listStorageLocationsInput>) {
  const filters = [eq(storageLocations.orgId, actor.orgId)];
  if (input.cursor) {
    const [name, id] = decodeCursor(input.cursor, 2) as [string, string];
    filters.push(or(gt(storageLocations.name, name), and(eq(storageLocations.name, name), gt(storageLocations.id, id)))!);
  }
  const rows = await db
    .select({ location: storageLocations, backupCount, bytesUsed })
    .from(storageLocations)
    .leftJoin(backups, eq(backups.storageLocationId, storageLocations.id))
    .where(and(...filters))
    .groupBy(storageLocations.id)
    .orderBy(asc(storageLocations.name), asc(storageLocations.id))
    .limit(input.limit + 1);
  return toPage(rows, input.limit, (r) => toItem(plugins, { ...r.location, backupCount: r.backupCount, bytesUsed: r.bytesUsed }), (r) => [r.location.name, r.location.id]);
}

export async function findStorageLocation(db: DbOrTx, actor: Principal, id: string) {
  const [row] = await db
    .select({ location: storageLocations, backupCount, bytesUsed })
    .from(storageLocations)
    .leftJoin(backups, eq(backups.storageLocationId, storageLocations.id))
    .where(and(eq(storageLocations.id, id), eq(storageLocations.orgId, actor.orgId)))
    .groupBy(storageLocations.id);
  if (!row) throw new NotFoundError("Storage location");
  return { ...row.location, backupCount: row.backupCount, bytesUsed: row.bytesUsed };
}

export async function getStorageLocation(db: DbOrTx, plugins: PluginHost, actor: Principal, id: string) {
  return toItem(plugins, await findStorageLocation(db, actor, id));
}

async function assertNameFree(db: DbOrTx, actor: Principal, name: string, exceptId?: string) {
  const [clash] = await db
    .select({ id: storageLocations.id })
    .from(storageLocations)
    .where(and(eq(storageLocations.orgId, actor.orgId), eq(storageLocations.name, name)));
  if (clash && clash.id !== exceptId) throw new ConflictError(`A storage location named "${name}" already exists`);
}

async function clearDefault(db: DbOrTx, actor: Principal, exceptId: string) {
  await db
    .update(storageLocations)
    .set({ isDefault: false })
    .where(and(eq(storageLocations.orgId, actor.orgId), ne(storageLocations.id, exceptId), eq(storageLocations.isDefault, true)));
}

export async function createStorageLocation(db: DbOrTx, plugins: PluginHost, actor: Principal, input: z.infer<typeof createStorageLocationInput>) {
  const prepared = await takeConfig(plugins, "storageProviders", input.provider, input.config, undefined, CONFIG_FIELDS);
  return db.transaction(async (tx) => {
    await assertNameFree(tx, actor, input.name);
    const [existing] = await tx.select({ n: sql<number>`count(*)::int` }).from(storageLocations).where(eq(storageLocations.orgId, actor.orgId));
    // The first location becomes the default, so backups have somewhere to go.
    const isDefault = input.isDefault ?? existing?.n === 0;
    const id = randomUUID();
    const [row] = await tx
      .insert(storageLocations)
      .values({ id, orgId: actor.orgId, name: input.name, provider: input.provider, config: prepared.config, secrets: sealSecret(SECRETS, id, prepared.secrets), isDefault: false })
      .returning();
    if (isDefault) {
      await clearDefault(tx, actor, row!.id);
      await tx.update(storageLocations).set({ isDefault: true }).where(eq(storageLocations.id, row!.id));
    }
    await recordActivity(tx, actor, { action: "storage_location.create", targetType: "storage_location", targetId: row!.id, targetLabel: row!.name, message: `Provider ${input.provider}${isDefault ? ", default" : ""}` });
    return toItem(plugins, { ...row!, isDefault, backupCount: 0, bytesUsed: 0 });
  });
}

export async function updateStorageLocation(db: DbOrTx, plugins: PluginHost, actor: Principal, input: z.infer<typeof updateStorageLocationInput>) {
  return db.transaction(async (tx) => {
    const current = await findStorageLocation(tx, actor, input.id);
    if (input.name && input.name !== current.name) await assertNameFree(tx, actor, input.name, current.id);
    // Secrets that do not open here (another key, another row's value) are not kept: the edit must type them again.
    const stored = { ...current.config, ...readableSecrets(SECRETS, current.id, current.secrets) };
    const prepared = await takeConfig(plugins, "storageProviders", current.provider, input.config ?? current.config, { config: stored }, CONFIG_FIELDS);
    if (input.isDefault) await clearDefault(tx, actor, current.id);
    const [row] = await tx
      .update(storageLocations)
      .set({ name: input.name ?? current.name, config: prepared.config, secrets: sealSecret(SECRETS, current.id, prepared.secrets), isDefault: input.isDefault ?? current.isDefault })
      .where(and(eq(storageLocations.id, current.id), eq(storageLocations.orgId, actor.orgId)))
      .returning();
    await recordActivity(tx, actor, { action: "storage_location.update", targetType: "storage_location", targetId: row!.id, targetLabel: row!.name });
    return toItem(plugins, { ...row!, backupCount: current.backupCount, bytesUsed: current.bytesUsed });
  });
}

export async function deleteStorageLocation(db: DbOrTx, actor: Principal, id: string) {
  const current = await findStorageLocation(db, actor, id);
  if (current.backupCount > 0) {
    throw new ConflictError(`"${current.name}" still holds ${current.backupCount} backup(s): delete them or let them expire first`);
  }
  await db.delete(storageLocations).where(and(eq(storageLocations.id, id), eq(storageLocations.orgId, actor.orgId)));
  await recordActivity(db, actor, { action: "storage_location.delete", targetType: "storage_location", targetId: id, targetLabel: current.name });
}

export async function testStorageLocation(db: DbOrTx, plugins: PluginHost, actor: Principal, input: z.infer<typeof testStorageLocationInput>): Promise<TestResult> {
  if (input.config && !hasRole(actor.role, "admin")) throw new ForbiddenError("Testing edited or new storage settings needs the admin role; operators can test saved locations");
  const stored = "id" in input ? await findStorageLocation(db, actor, input.id) : undefined;
  const providerId = stored?.provider ?? ("provider" in input ? input.provider : "");
  const saved = stored ? storedConfig(SECRETS, stored.id, stored.config, stored.secrets) : undefined;
  const incoming = input.config ?? stored?.config ?? {};
  const { full } = await takeConfig(plugins, "storageProviders", providerId, incoming, saved && { config: saved }, CONFIG_FIELDS);
  const client = (await plugins.storageProvider(providerId)).create(full);
  let result: TestResult;
  try {
    result = await client.testConnection(callContext(`test storage ${providerId}`), testOptions());
  } finally {
    await client.close();
  }
  await recordActivity(db, actor, {
    action: "storage_location.test",
    targetType: "storage_location",
    targetId: stored?.id ?? null,
    targetLabel: stored?.name ?? `new ${providerId} location`,
    outcome: result.ok ? "success" : "failure",
    message: result.message,
  });
  return { ok: result.ok, message: result.message, details: result.details };
}
