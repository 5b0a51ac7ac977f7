import { z } from "zod";
import { procedure, router } from "@/server/api/trpc";
import { catalogImportResult, importCatalog } from "@/server/catalog/import-catalog";
import { testResultOutput, testResultWithDetails } from "@/server/services/plugin-config";
import {
  createStorageLocation,
  createStorageLocationInput,
  deleteStorageLocation,
  getStorageLocation,
  listStorageLocations,
  listStorageLocationsInput,
  storageLocationItem,
  storageLocationPage,
  testStorageLocation,
  testStorageLocationInput,
  updateStorageLocation,
  updateStorageLocationInput,
} from "@/server/services/storage-locations";

export const storageLocationsRouter = router({
  list: procedure("viewer", { method: "GET", path: "/storage-locations", tags: ["storage"], summary: "List storage locations (secrets masked)", protect: true })
    .input(listStorageLocationsInput)
    .output(storageLocationPage)
    .query(({ ctx, input }) => listStorageLocations(ctx.db, ctx.plugins, ctx.principal, input)),

  get: procedure("viewer", { method: "GET", path: "/storage-locations/{id}", tags: ["storage"], summary: "Get a storage location (secrets masked)", protect: true })
    .input(z.object({ id: z.uuid() }))
    .output(storageLocationItem)
    .query(({ ctx, input }) => getStorageLocation(ctx.db, ctx.plugins, ctx.principal, input.id)),

  create: procedure("admin", { method: "POST", path: "/storage-locations", tags: ["storage"], summary: "Add a storage location", protect: true })
    .input(createStorageLocationInput)
    .output(storageLocationItem)
    .mutation(({ ctx, input }) => createStorageLocation(ctx.db, ctx.plugins, ctx.principal, input)),

  update: procedure("admin", { method: "PUT", path: "/storage-locations/{id}", tags: ["storage"], summary: "Change a storage location (the fields given; a masked secret sent back keeps the stored one)", protect: true })
    .input(updateStorageLocationInput)
    .output(storageLocationItem)
    .mutation(({ ctx, input }) => updateStorageLocation(ctx.db, ctx.plugins, ctx.principal, input)),

  delete: procedure("admin", { method: "DELETE", path: "/storage-locations/{id}", tags: ["storage"], summary: "Delete a storage location no backup uses", protect: true, restStatus: 204 })
    .input(z.object({ id: z.uuid() }))
    .output(z.void())
    .mutation(({ ctx, input }) => deleteStorageLocation(ctx.db, ctx.principal, input.id)),

  test: procedure("operator", { method: "POST", path: "/storage-locations/{id}/test", tags: ["storage"], summary: "Test a storage location", protect: true })
    .input(z.object({ id: z.uuid() }))
    .output(testResultOutput)
    .mutation(({ ctx, input }) => testStorageLocation(ctx.db, ctx.plugins, ctx.principal, input)),

  catalogImport: procedure("admin", { method: "POST", path: "/storage-locations/{id}/catalog-import", tags: ["storage"], summary: "Recreate the backups of this location the catalog lacks, from their manifests", protect: true })
    .input(z.object({ id: z.uuid() }))
    .output(catalogImportResult)
    .mutation(({ ctx, input }) => importCatalog(ctx.db, ctx.plugins, ctx.principal, input.id)),

  /** The settings in a form, before (or instead of) saving them. */
  testDraft: procedure("operator")
    .input(testStorageLocationInput)
    .output(testResultWithDetails)
    .mutation(({ ctx, input }) => testStorageLocation(ctx.db, ctx.plugins, ctx.principal, input)),
});
