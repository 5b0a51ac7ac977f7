import { z } from "zod";
import type { ContributionKind } from "./contracts";
import { summaryFields } from "@/shared/config-summary";

const idPattern = /^[a-z][a-z0-9-]*$/;

const fieldSchema = z
  .object({
    type: z.enum(["string", "integer", "number", "boolean"]),
    title: z.string().optional(),
    description: z.string().optional(),
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
    enum: z.array(z.union([z.string(), z.number()])).min(1).optional(),
    enumTitles: z.array(z.string()).optional(),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    minLength: z.number().int().optional(),
    pattern: z.string().optional(),
    errorMessage: z.string().max(200).optional(),
    format: z.enum(["hostname", "uri", "server-path", "database-name", "host-key"]).optional(),
    identity: z.boolean().optional(),
    dataLocation: z.boolean().optional(),
    copyTarget: z.boolean().optional(),
    discovered: z.boolean().optional(),
    secret: z.boolean().optional(),
    multiline: z.boolean().optional(),
    placeholder: z.string().optional(),
  })
  .strict()
  .refine((f) => !f.enumTitles || f.enumTitles.length === f.enum?.length, { message: "`enumTitles` needs one title per `enum` value" });

const configSchema = z
  .object({
    type: z.literal("object"),
    properties: z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]*$/, "property names are identifiers"), fieldSchema),
    required: z.array(z.string()).optional(),
    additionalProperties: z.boolean().optional(),
  })
  .strict()
  .refine((s) => (s.required ?? []).every((r) => r in s.properties), { message: "every `required` name must be a property" });

/** Optional abilities a source declares, so the console offers them without running plugin code. */
export const SOURCE_CAPABILITIES = {
  restore: ["restore", "discardPreviousCopy"],
  discover: ["discover"],
  /** Its restores' `prepare` makes a copy harmless (mail, scheduled jobs, payments): the wizard offers "Neutralize" only then. */
  neutralize: [],
  /** A backup can be downloaded in the formats of `exports` (e.g. Odoo's own zip). */
  export: ["exportArchive"],
  /** Files in the formats of `imports` can be imported as backups. */
  import: ["importArchive"],
  /** "Destroy environment" can remove the environment's data from its server. */
  destroy: ["destroy"],
} as const;
export type SourceCapability = keyof typeof SOURCE_CAPABILITIES;

const artifactDeclaration = z
  .object({
    title: z.string().min(1).max(60),
    description: z.string().max(200).optional(),
    extension: z.string().regex(/^[a-z0-9]+(\.[a-z0-9]+)*$/, "an extension is lowercase letters and digits, e.g. sql or tar").max(20).optional(),
    contentType: z.string().regex(/^[a-z]+\/[a-z0-9.+-]+$/, "a media type, e.g. application/sql").optional(),
    rowCounts: z.literal("pg-copy").optional(),
  })
  .strict();

const formatId = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "format ids are lowercase letters, digits and dashes");
const exportFormat = z
  .object({
    id: formatId,
    title: z.string().min(1).max(60),
    description: z.string().max(200).optional(),
    extension: z.string().regex(/^[a-z0-9]+(\.[a-z0-9]+)*$/, "an extension is lowercase letters and digits, e.g. zip").max(20),
    contentType: z.string().regex(/^[a-z]+\/[a-z0-9.+-]+$/, "a media type, e.g. application/zip"),
  })
  .strict();
const importFormat = z
  .object({
    id: formatId,
    title: z.string().min(1).max(60),
    description: z.string().max(200).optional(),
    extensions: z.array(z.string().regex(/^(\.[a-z0-9]+)+$/, "an ending with its dot, e.g. .sql.gz").max(20)).min(1),
  })
  .strict();

const contributionSchema = z
  .object({
    id: z.string().regex(idPattern, "contribution ids are lowercase letters, digits and dashes"),
    title: z.string().min(1),
    description: z.string().optional(),
    capabilities: z.array(z.enum(Object.keys(SOURCE_CAPABILITIES) as [SourceCapability, ...SourceCapability[]])).optional(),
    configSchema,
    summary: z.string().optional(),
    artifacts: z
      .object({ database: artifactDeclaration, filestore: artifactDeclaration.optional() })
      .strict()
      .optional(),
    exports: z.array(exportFormat).optional(),
    imports: z.array(importFormat).optional(),
    reservedDatabases: z.array(z.string().min(1).max(64)).optional(),
    programs: z.array(z.string().regex(/^[A-Za-z0-9_.+-]{1,64}$/, "program names are letters, digits and _ . + -")).optional(),
  })
  .superRefine((c, ctx) => {
    for (const [capability, list] of [["export", c.exports], ["import", c.imports]] as const) {
      const declared = c.capabilities?.includes(capability) ?? false;
      if (declared !== Boolean(list?.length)) ctx.addIssue({ code: "custom", path: [`${capability}s`], message: `the \`${capability}\` capability and a non-empty \`${capability}s\` list go together` });
    }
    for (const name of summaryFields(c.summary ?? "")) {
      const field = c.configSchema.properties[name];
      if (!field) ctx.addIssue({ code: "custom", path: ["summary"], message: `{${name}} is not a field of the configSchema` });
      else if (field.secret) ctx.addIssue({ code: "custom", path: ["summary"], message: `{${name}} is a secret field: it is never shown` });
    }
  });

const activationEvent = z
  .string()
  .regex(/^(\*|onSource:[a-z0-9-]+|onStorageProvider:[a-z0-9-]+|onServerKind:[a-z0-9-]+|onNotifier:[a-z0-9-]+)$/, "unknown activation event");

export const manifestSchema = z.object({
  name: z.string().regex(idPattern, "the plugin name (its id) is lowercase letters, digits and dashes, e.g. storage-s3"),
  version: z.string().min(1),
  displayName: z.string().optional(),
  description: z.string().optional(),
  main: z.string().min(1),
  engines: z.object({ safehold: z.string().min(1) }),
  activationEvents: z.array(activationEvent).optional(),
  contributes: z
    .object({
      sources: z.array(contributionSchema).optional(),
      storageProviders: z.array(contributionSchema).optional(),
      serverKinds: z.array(contributionSchema).optional(),
      notifiers: z.array(contributionSchema).optional(),
    })
    .refine((c) => (c.sources?.length ?? 0) + (c.storageProviders?.length ?? 0) + (c.serverKinds?.length ?? 0) + (c.notifiers?.length ?? 0) > 0, {
      message: "a plugin must contribute at least one source, storage provider, server kind or notifier",
    }),
});

export type PluginManifest = z.infer<typeof manifestSchema>;

export const CONTRIBUTION_KINDS: readonly ContributionKind[] = ["sources", "storageProviders", "serverKinds", "notifiers"];

/** The activation event that a use of a contribution fires, VS Code style. */
export function activationEventFor(kind: ContributionKind, id: string): string {
  const prefix = { sources: "onSource", storageProviders: "onStorageProvider", serverKinds: "onServerKind", notifiers: "onNotifier" }[kind];
  return `${prefix}:${id}`;
}

/** One readable line per problem, e.g. `contributes.sources.0.id: ...`. */
export function describeManifestError(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? `${i.path.join(".")}: ` : ""}${i.message}`).join("; ");
}
