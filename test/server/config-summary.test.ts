import { describe, expect, it } from "vitest";
import { configSummary, summaryFields } from "@/shared/config-summary";
import { manifestSchema } from "@/server/plugins/manifest";

const sftp = { summary: "[{username}@]{host}[:{port}][ · {path}]" };

describe("a contribution's summary template", () => {
  it("fills in the fields and leaves out the parts whose fields are empty", () => {
    expect(configSummary(sftp, { username: "deploy", host: "backup.example.com", port: 22, path: "/srv/backups" })).toBe("deploy@backup.example.com:22 · /srv/backups");
    expect(configSummary(sftp, { host: "backup.example.com" })).toBe("backup.example.com");
    expect(configSummary(sftp, { host: "h", path: "" , port: 2222 })).toBe("h:2222");
  });

  it("is empty when no field has a value, or when the contribution declares no summary", () => {
    expect(configSummary(sftp, {})).toBe("");
    expect(configSummary(undefined, { host: "h" })).toBe("");
    expect(configSummary({ summary: null }, { host: "h" })).toBe("");
  });

  it("shows only strings and numbers, never objects", () => {
    expect(configSummary({ summary: "{bucket}[/{prefix}]" }, { bucket: "b", prefix: { toString: () => "x" } })).toBe("b");
  });

  it("names its fields", () => {
    expect(summaryFields(sftp.summary)).toEqual(["username", "host", "port", "path"]);
  });

  it("is refused in a manifest when it names an unknown or a secret field", () => {
    const manifest = (summary: string) => ({
      name: "storage-demo",
      version: "1.0.0",
      main: "dist/index.js",
      engines: { safehold: "^1.0.0" },
      contributes: {
        storageProviders: [{ id: "demo", title: "Demo", summary, configSchema: { type: "object", properties: { path: { type: "string" }, token: { type: "string", secret: true } } } }],
      },
    });
    expect(manifestSchema.safeParse(manifest("{path}")).success).toBe(true);
    expect(manifestSchema.safeParse(manifest("{nope}")).error?.issues[0]?.message).toBe("{nope} is not a field of the configSchema");
    expect(manifestSchema.safeParse(manifest("{path} · {token}")).error?.issues[0]?.message).toBe("{token} is a secret field: it is never shown");
  });
});
