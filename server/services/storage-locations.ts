import { and, eq, ne, sql } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { backupCopies, backupPolicies, backups, storageLocations } from "@/server/db/schema";
import { ConflictError } from "@/server/errors";
import { SEALED_COLUMNS } from "@/server/db/sealed-columns";
import type { TestResult } from "@/server/plugins/contracts";
import type { PluginHost } from "@/server/plugins/host";
import { configuredResource } from "./configured-resource";
import { locationFilestoreUsage } from "./filestore-usage";
import { pageInput, pageSchema } from "./pagination";
import { configRecord } from "./plugin-config";
import { callContext, testOptions } from "@/server/plugins/call-context";

export const storageLocationItem = z.object({
  id: z.string(),
  name: z.string(),
  provider: z.string(),
  config: configRecord,
  isDefault: z.boolean(),
  backupCount: z.number(),
  /** Bytes of the completed backups kept there; filestore objects shared by several backups count once. */
  bytesUsed: z.number(),
  /** What storing each filestore file once saved: the backups' filestores as full copies, minus the files stored. */
  dedupSavedBytes: z.number(),
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
type Usage = { backupCount: number; bytesUsed: number; dedupSavedBytes: number };

const filestores = locationFilestoreUsage(sql`"storage_locations"."id"`);

async function clearDefault(db: DbOrTx, actor: Principal, exceptId: string) {
  await db
    .update(storageLocations)
    .set({ isDefault: false })
    .where(and(eq(storageLocations.orgId, actor.orgId), ne(storageLocations.id, exceptId), eq(storageLocations.isDefault, true)));
}

const resource = configuredResource<"provider", LocationRow, Usage, z.infer<typeof storageLocationItem>, z.infer<typeof createStorageLocationInput>, z.infer<typeof updateStorageLocationInput>>({
  table: storageLocations,
  noun: "storage location",
  contribution: "storageProviders",
  kindField: "provider",
  kindLabel: "Provider",
  secrets: SEALED_COLUMNS.storageLocationSecrets,
  activity: "storage_location",
  roles: { read: "viewer", write: "admin", test: "operator", testSettings: "admin" },
  usage: {
    join: { table: backups, on: eq(backups.storageLocationId, storageLocations.id) },
    fields: {
      backupCount: sql<number>`count(${backups.id})::int`,
      bytesUsed: sql<number>`(coalesce(sum(${backups.sizeBytes}) filter (where ${backups.status} = 'completed'), 0) + ${filestores.storedBytes})::float8`,
      dedupSavedBytes: filestores.savedBytes,
    },
    none: { backupCount: 0, bytesUsed: 0, dedupSavedBytes: 0 },
  },
  deleteGuard: (row) => (row.backupCount > 0 ? `"${row.name}" still holds ${row.backupCount} backup(s): delete them or let them expire first` : undefined),
  // Second copies kept there hold backups too; failed ones go with the location. Policies that copy to it lose it.
  beforeDelete: async (tx, actor, row) => {
    const [held] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(backupCopies)
      .where(and(eq(backupCopies.storageLocationId, row.id), ne(backupCopies.status, "failed")));
    if (held && held.n > 0) throw new ConflictError(`"${row.name}" still holds second copies of ${held.n} backup(s): delete them or let them expire first`);
    await tx
      .update(backupPolicies)
      .set({ copyStorageLocationIds: sql`array_remove(${backupPolicies.copyStorageLocationIds}, ${row.id}::uuid)` })
      .where(and(eq(backupPolicies.orgId, actor.orgId), sql`${row.id}::uuid = any(${backupPolicies.copyStorageLocationIds})`));
  },
  toItem: (row, config) => ({
    id: row.id,
    name: row.name,
    provider: row.provider,
    config,
    isDefault: row.isDefault,
    backupCount: row.backupCount,
    bytesUsed: row.bytesUsed,
    dedupSavedBytes: row.dedupSavedBytes,
    createdAt: row.createdAt.toISOString(),
  }),
  create: {
    prepare: async (tx, actor, input, id) => {
      const [existing] = await tx.select({ n: sql<number>`count(*)::int` }).from(storageLocations).where(eq(storageLocations.orgId, actor.orgId));
      // The first location becomes the default, so backups have somewhere to go.
      const isDefault = input.isDefault ?? existing?.n === 0;
      if (isDefault) await clearDefault(tx, actor, id);
      return { values: { isDefault }, note: isDefault ? ", default" : "" };
    },
  },
  update: {
    prepare: async (tx, actor, input, current) => {
      if (input.isDefault) await clearDefault(tx, actor, current.id);
      return { isDefault: input.isDefault ?? current.isDefault };
    },
  },
  test: {
    settingsForbidden: "Testing edited or new storage settings needs the admin role; operators can test saved locations",
    draftLabel: (provider) => `new ${provider} location`,
    probe: async ({ plugins, contributionId, settings }) => {
      const client = (await plugins.storageProvider(contributionId)).create(await settings());
      let result: TestResult;
      try {
        result = await client.testConnection(callContext(`test storage ${contributionId}`), testOptions());
      } finally {
        await client.close();
      }
      return { ok: result.ok, message: result.message, details: result.details };
    },
  },
});

export const listStorageLocations = (db: DbOrTx, plugins: PluginHost, actor: Principal, input: z.infer<typeof listStorageLocationsInput>) => resource.list(db, plugins, actor, input);
export const findStorageLocation = (db: DbOrTx, actor: Principal, id: string) => resource.find(db, actor, id);
export const getStorageLocation = (db: DbOrTx, plugins: PluginHost, actor: Principal, id: string) => resource.get(db, plugins, actor, id);
/** The first location of an organization becomes its default unless told otherwise. */
export const createStorageLocation = (db: DbOrTx, plugins: PluginHost, actor: Principal, input: z.infer<typeof createStorageLocationInput>) => resource.create(db, plugins, actor, input);
export const updateStorageLocation = (db: DbOrTx, plugins: PluginHost, actor: Principal, input: z.infer<typeof updateStorageLocationInput>) => resource.update(db, plugins, actor, input);
/** Refused while backups are still kept there. */
export const deleteStorageLocation = (db: DbOrTx, actor: Principal, id: string) => resource.delete(db, actor, id);
export const testStorageLocation = (db: DbOrTx, plugins: PluginHost, actor: Principal, input: z.infer<typeof testStorageLocationInput>): Promise<TestResult> => resource.test(db, plugins, actor, input);
