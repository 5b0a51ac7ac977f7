import { describe, expect, it } from "vitest";
import { openApiDocument } from "@/server/api/rest";

/**
 * PRODUCT.md's v1 table, as data: for each documented operation, the body and query fields the table names
 * (nested ones as `parent.child`) and the enum values it promises. v1 never breaks a client: every field an
 * operation requires must be one the table names (a later field is optional with a default), and every
 * documented enum value must still be accepted (enums only grow). Change this only when the table changes.
 */
const POLICY = ["enabled", "schedule", "timezone", "storageLocationId", "includeFilestore", "retention", "retention.daily", "retention.weekly", "retention.monthly", "retention.yearly", "notifyOnSuccess", "notifyOnFailure"];
const V1_TABLE: Record<string, { fields?: string[]; enums?: Record<string, Array<string | number>> }> = {
  "GET /plugins": {},
  "GET /projects": {},
  "POST /projects": { fields: ["name"] },
  "GET /servers": {},
  "POST /servers": { fields: ["name", "kind", "config"] },
  "GET /storage-locations": {},
  "POST /storage-locations": { fields: ["name", "provider", "config", "isDefault"] },
  "POST /storage-locations/{id}/test": {},
  "GET /environments": { fields: ["projectId"] },
  "POST /environments": { fields: ["projectId", "name", "stage", "serverId", "source", "sourceConfig"] },
  "GET /environments/{id}": {},
  "POST /environments/{environmentId}/backups": { fields: ["name", "notes", "storageLocationId", "includeFilestore", "retention"] },
  "GET /backups": { fields: ["status", "type", "environmentId", "projectId", "q", "from", "to", "limit", "cursor"] },
  "GET /backups/{id}": {},
  "DELETE /backups/{id}": {},
  "POST /backups/{backupId}/download-links": {
    fields: ["artifact", "expiresIn"],
    enums: { artifact: ["database", "filestore", "manifest"], expiresIn: [900, 1800, 3600, 7200, 86400] },
  },
  "POST /backups/{backupId}/restores": {
    fields: ["target", "environmentId", "newEnvironment", "newEnvironment.projectId", "newEnvironment.name", "newEnvironment.stage", "newEnvironment.serverId", "newEnvironment.sourceConfig", "safetyBackup", "includeFilestore", "neutralize", "confirm"],
    enums: { target: ["original", "environment", "new_environment"] },
  },
  "GET /restores/{id}": {},
  "GET /backup-policy": {},
  "PUT /backup-policy": { fields: POLICY },
  "GET /environments/{id}/backup-policy": {},
  "PUT /environments/{id}/backup-policy": { fields: POLICY },
  "DELETE /environments/{id}/backup-policy": {},
  "GET /environments/{id}/effective-backup-policy": {},
  "GET /dashboard": {},
};

type Schema = { type?: string; properties?: Record<string, Schema>; required?: string[]; enum?: unknown[]; const?: unknown; anyOf?: Schema[]; oneOf?: Schema[]; allOf?: Schema[] };
type Operation = { parameters?: Array<{ in: string; name: string; required?: boolean }>; requestBody?: { content: Record<string, { schema: Schema }> } };

function operation(key: string): Operation | undefined {
  const [method, path] = key.split(" ") as [string, string];
  const paths = (openApiDocument() as unknown as { paths: Record<string, Record<string, Operation>> }).paths;
  return paths[path]?.[method.toLowerCase()];
}

/** Every required property, at any depth, as `parent.child`. */
function requiredFields(schema: Schema | undefined, prefix = ""): string[] {
  if (!schema) return [];
  const alternatives = [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])].flatMap((s) => requiredFields(s, prefix));
  const own = (schema.required ?? []).map((name) => `${prefix}${name}`);
  const nested = Object.entries(schema.properties ?? {}).flatMap(([name, child]) => requiredFields(child, `${prefix}${name}.`));
  return [...own, ...nested, ...alternatives];
}

function acceptedValues(schema: Schema | undefined): unknown[] {
  if (!schema) return [];
  return [...(schema.enum ?? []), ...(schema.const !== undefined ? [schema.const] : []), ...[...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].flatMap(acceptedValues)];
}

describe("REST v1 against PRODUCT.md's table", () => {
  it.each(Object.keys(V1_TABLE))("%s exists and requires only documented fields", (key) => {
    const op = operation(key);
    expect(op, `${key} is gone from the API`).toBeDefined();
    const documented = new Set(V1_TABLE[key]!.fields ?? []);
    const body = op!.requestBody?.content["application/json"]?.schema;
    const query = (op!.parameters ?? []).filter((p) => p.in === "query");
    const required = [...requiredFields(body), ...query.filter((p) => p.required).map((p) => p.name)];
    expect(required.filter((f) => !documented.has(f)), `${key} requires fields the v1 table does not list: make them optional with a default`).toEqual([]);
    for (const name of documented) {
      if (!name.includes(".") && body?.properties && !(name in body.properties) && !query.some((p) => p.name === name)) throw new Error(`${key} no longer accepts the documented field ${name}`);
    }
    for (const [field, values] of Object.entries(V1_TABLE[key]!.enums ?? {})) {
      expect(acceptedValues(body?.properties?.[field])).toEqual(expect.arrayContaining(values));
    }
  });
});
