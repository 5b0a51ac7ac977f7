import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { fieldErrors, publicMessage } from "@/server/api/error-mapping";
import type { Principal } from "@/server/auth/principal";
import { validateConfig } from "@/server/plugins/config-values";
import type { ConfigSchema } from "@/server/plugins/contracts";
import { createApiToken } from "@/server/services/api-tokens";
import { createNotificationChannel, updateNotificationChannel } from "@/server/services/notification-channels";
import { createStorageLocation } from "@/server/services/storage-locations";
import { SECRET_MASK } from "@/shared/secret-mask";
import { installHumanZodMessages } from "@/server/validation/zod-messages";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";
import { rest } from "../helpers/rest";

/** Field errors in words a person reads next to the field, every field at once: from plugin schemas (ajv) and inputs (zod). */
const schema: ConfigSchema = {
  type: "object",
  properties: {
    path: { type: "string", title: "Folder", description: "Absolute path; created if missing", pattern: "^/", minLength: 2 },
    url: { type: "string", title: "URL", pattern: "^https?://" },
    bucket: { type: "string", title: "Bucket", pattern: "^[a-z0-9.-]+$", description: "Lowercase letters, digits, dots and dashes" },
    region: { type: "string", title: "Region", pattern: "^[a-z]{2}-[a-z]+-\\d$", errorMessage: "Region must look like eu-west-1" },
    port: { type: "integer", title: "Port", minimum: 1, maximum: 65535 },
    mode: { type: "string", title: "Mode", enum: ["json", "slack"], enumTitles: ["JSON", "Slack"] },
    user: { type: "string", title: "User", minLength: 1 },
  },
  required: ["path", "user"],
};

function fieldsOf(config: Record<string, unknown>): Record<string, string> {
  try {
    validateConfig(schema, config);
  } catch (err) {
    return (err as { fields: Record<string, string> }).fields;
  }
  return {};
}

describe("plugin settings (ajv) in words", () => {
  it("says what a pattern, a length, a range, a type and a choice mean, with the field's title", () => {
    expect(fieldsOf({ path: "var/backups", user: "u" })).toEqual({ "config.path": "Folder must be an absolute path starting with /" });
    expect(fieldsOf({ path: "/", user: "u" })).toEqual({ "config.path": "Folder must be at least 2 characters long" });
    expect(fieldsOf({ path: "/srv", user: "u", url: "ftp://x" })).toEqual({ "config.url": "URL must start with http:// or https://" });
    expect(fieldsOf({ path: "/srv", user: "u", port: 70000 })).toEqual({ "config.port": "Port must be at most 65535" });
    expect(fieldsOf({ path: "/srv", user: "u", port: 2.5 })).toEqual({ "config.port": "Port must be a whole number" });
    expect(fieldsOf({ path: "/srv", user: "u", mode: "xml" })).toEqual({ "config.mode": "Mode must be one of: JSON, Slack" });
    expect(fieldsOf({ path: "/srv", user: "" })).toEqual({ "config.user": "User is required" });
    expect(fieldsOf({ user: "u" })).toEqual({ "config.path": "Folder is required" });
  });

  it("uses the plugin's own errorMessage, or its description for a pattern it does not explain", () => {
    expect(fieldsOf({ path: "/srv", user: "u", region: "Europe" })).toEqual({ "config.region": "Region must look like eu-west-1" });
    expect(fieldsOf({ path: "/srv", user: "u", bucket: "My Bucket" })).toEqual({ "config.bucket": "Bucket is not in the expected form (Lowercase letters, digits, dots and dashes)" });
  });

  it("reports every invalid field at once, never schema notation", () => {
    const fields = fieldsOf({ path: "relative", url: "x", port: 0, user: "" });
    expect(Object.keys(fields).sort()).toEqual(["config.path", "config.port", "config.url", "config.user"]);
    for (const message of Object.values(fields)) expect(message).not.toMatch(/must match pattern|must NOT have|must be >=|\^/);
  });
});

describe("inputs (zod) in words", () => {
  beforeAll(() => installHumanZodMessages());

  const input = z.object({ id: z.uuid(), name: z.string().min(1), note: z.string().max(5), count: z.number().int().min(1), stage: z.enum(["production", "staging"]), label: z.string().min(1, "Name the label") });

  it("words zod's defaults and keeps a schema's own message", () => {
    const result = input.safeParse({ id: "x", name: "", note: "far too long", count: 0, stage: "nope", label: "" });
    const messages = Object.fromEntries((result.error?.issues ?? []).map((i) => [i.path.join("."), i.message]));
    expect(messages).toEqual({
      id: "Must be a valid id",
      name: "Must not be empty",
      note: "Must be at most 5 characters",
      count: "Must be at least 1",
      stage: "Must be one of: production, staging",
      label: "Name the label",
    });
    expect(z.object({ a: z.string() }).safeParse({}).error?.issues[0]?.message).toBe("Required");
  });

  it("names every field in the error message and in its fields, not only the first", () => {
    const result = input.safeParse({ id: "x", name: "", note: "", count: 1, stage: "staging", label: "ok" });
    const error = new TRPCError({ code: "BAD_REQUEST", cause: result.error });
    expect(fieldErrors(error)).toEqual({ id: "Must be a valid id", name: "Must not be empty" });
    expect(publicMessage(error)).toBe("Invalid input: id: Must be a valid id; name: Must not be empty");
  });
});

describe("over the API", () => {
  let t: TestDatabase;
  let owner: Principal;
  let token: string;
  const plugins = builtinPluginHost();

  beforeAll(async () => {
    t = await createTestDatabase();
    // The in-process REST handler opens the database named here.
    process.env.DATABASE_URL = t.url;
    owner = (await createOrgWithMembers(t.db, "Validation words")).principals.owner;
    token = (await createApiToken(t.db, owner, { name: "words" })).token;
  });

  afterAll(async () => {
    await t?.drop();
  });

  it("answers an invalid request with every field's error in words", async () => {
    const answer = await rest("POST", "/environments", { token, body: { projectId: "not-an-id", name: "", stage: "nope", serverId: "also-not", source: "postgres" } });
    expect(answer.status).toBe(400);
    const error = (answer.body as { error: { message: string; fields: Record<string, string> } }).error;
    expect(Object.keys(error.fields).sort()).toEqual(["name", "projectId", "serverId", "stage"]);
    expect(error.fields).toMatchObject({ projectId: "Must be a valid id", name: "Name the environment", stage: expect.stringMatching(/^Must be one of: production, /) });
    for (const field of ["projectId", "name", "stage", "serverId"]) expect(error.message).toContain(`${field}: `);
    expect(error.message).not.toMatch(/Too small|Invalid option|expected/);
  });

  it("words a storage folder that is not absolute at its field", async () => {
    await expect(createStorageLocation(t.db, plugins, owner, { name: "Relative", provider: "local", config: { path: "var/backups" }, isDefault: false })).rejects.toMatchObject({
      code: "validation",
      fields: { "config.path": "Folder must be an absolute path starting with /" },
    });
  });

  it("reports a secret to type again together with the other invalid settings", async () => {
    const channel = await createNotificationChannel(t.db, plugins, owner, { name: "Hook", notifier: "webhook", config: { url: "http://127.0.0.1:9/hook", format: "json", secret: "signing-secret" } });
    await expect(updateNotificationChannel(t.db, plugins, owner, { id: channel.id, config: { url: "ftp://elsewhere.test/hook", format: "xml", secret: SECRET_MASK } })).rejects.toMatchObject({
      fields: {
        "config.secret": expect.stringContaining("Type the signing secret again"),
        "config.url": "URL must start with http:// or https://",
        "config.format": expect.stringMatching(/^Format must be one of: JSON/),
      },
    });
  });
});
