import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { PluginHost } from "@/server/plugins/host";
import { builtinPluginHost } from "../helpers/fixtures";
import { makePluginsDir } from "../helpers/plugin-dirs";

const manifest = (name: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    name,
    version: "1.0.0",
    main: "./index.js",
    type: "module",
    engines: { safehold: "^1.0.0" },
    contributes: { storageProviders: [{ id: name, title: name, configSchema: { type: "object", properties: {} } }] },
    ...extra,
  });

describe("plugin host", () => {
  it("discovers the built-in plugins without running them, with their config schemas", () => {
    const host = builtinPluginHost();
    const ids = host.plugins.map((p) => p.id);
    expect(ids).toEqual(expect.arrayContaining(["server-local", "source-postgres", "storage-local"]));
    for (const plugin of host.plugins) {
      expect(plugin.status).toBe("inactive");
      expect(plugin.error).toBeNull();
    }
    const postgres = host.contribution("sources", "postgres");
    expect(postgres.configSchema.properties.password?.secret).toBe(true);
    expect(postgres.configSchema.required).toEqual(["host", "port", "user", "database"]);
    expect(host.contribution("storageProviders", "local").configSchema.required).toEqual(["path"]);
    expect(host.contribution("serverKinds", "local").configSchema.properties).toEqual({});
    expect(host.contributions("notifiers").map((c) => c.id).sort()).toEqual(["email", "webhook"]);
    expect(host.contribution("notifiers", "email").configSchema.properties.password?.secret).toBe(true);
    expect(host.contribution("notifiers", "webhook").configSchema.properties.secret?.secret).toBe(true);
  });

  it("activates a plugin on first use of a contribution, once", async () => {
    const host = builtinPluginHost();
    const a = await host.storageProvider("local");
    const b = await host.storageProvider("local");
    expect(host.plugins.find((p) => p.id === "storage-local")?.status).toBe("active");
    expect(host.plugins.find((p) => p.id === "source-postgres")?.status).toBe("inactive");
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-local-"));
    const client = a.create({ path: root });
    expect((await client.testConnection()).ok).toBe(true);
    expect(await b.create({ path: root }).list("")).toEqual([]);
  });

  it("lists broken plugins with their errors and keeps every other plugin working", async () => {
    const dir = makePluginsDir({
      extra: {
        "bad-json": { "package.json": "{ not json" },
        "no-manifest": { "index.js": "export function activate() { return {}; }" },
        "bad-manifest": { "package.json": JSON.stringify({ name: "bad-manifest", version: "1.0.0", main: "./index.js", engines: { safehold: "^1.0.0" }, contributes: {} }) },
        "missing-main": { "package.json": manifest("missing-main") },
        "incompatible": { "package.json": manifest("incompatible", { engines: { safehold: "^2.0.0" } }), "index.js": "export function activate() { return {}; }" },
        "throws-on-activate": { "package.json": manifest("throws-on-activate"), "index.js": "export function activate() { throw new Error('boom at activation'); }" },
        "lacks-method": { "package.json": manifest("lacks-method"), "index.js": "export function activate() { return { storageProviders: { 'lacks-method': {} } }; }" },
        "syntax-error": { "package.json": manifest("syntax-error"), "index.js": "export function activate( {" },
      },
    });
    const host = new PluginHost(dir);
    const byId = Object.fromEntries(host.plugins.map((p) => [p.id, p]));

    expect(byId["bad-json"]).toMatchObject({ status: "error", error: expect.stringContaining("not valid JSON") });
    expect(byId["no-manifest"]).toMatchObject({ status: "error", error: expect.stringContaining("package.json (the plugin manifest) is missing") });
    expect(byId["bad-manifest"]).toMatchObject({ status: "error", error: expect.stringContaining("must contribute at least one") });
    expect(byId["missing-main"]).toMatchObject({ status: "error", error: expect.stringContaining("main file ./index.js does not exist") });
    expect(byId["incompatible"]).toMatchObject({ status: "error", error: expect.stringContaining("requires Safehold plugin API ^2.0.0") });

    // Errors found only when the code runs surface on first use, and are recorded on the plugin.
    await expect(host.storageProvider("throws-on-activate")).rejects.toThrow("activate() threw: boom at activation");
    expect(byId["throws-on-activate"]).toMatchObject({ status: "error", error: expect.stringContaining("boom at activation") });
    await expect(host.storageProvider("lacks-method")).rejects.toThrow('storage provider "lacks-method" lacks create');
    await expect(host.storageProvider("syntax-error")).rejects.toThrow("Loading ./index.js failed");
    expect(byId["syntax-error"]?.status).toBe("error");

    // The built-in plugins are unaffected.
    expect(host.contributions("storageProviders").map((c) => c.id)).toContain("local");
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-local-"));
    const local = (await host.storageProvider("local")).create({ path: root });
    await local.put("a/b.txt", Readable.from(["hello"]));
    expect(await local.list("a/")).toMatchObject([{ key: "a/b.txt", size: 5 }]);
    expect(byId["storage-local"]?.status).toBe("active");
  });

  it("puts both plugins in error when they contribute the same id", () => {
    const dir = makePluginsDir({
      extra: {
        "another-local": {
          "package.json": manifest("another-local", { contributes: { storageProviders: [{ id: "local", title: "Another local", configSchema: { type: "object", properties: {} } }] } }),
          "index.js": "export function activate() { return {}; }",
        },
      },
    });
    const host = new PluginHost(dir);
    const message = 'The storage provider id "local" is contributed by both another-local and storage-local: remove one of them';
    expect(host.plugins.find((p) => p.id === "another-local")).toMatchObject({ status: "error", error: message });
    expect(host.plugins.find((p) => p.id === "storage-local")).toMatchObject({ status: "error", error: message });
    expect(() => host.contribution("storageProviders", "local")).toThrow(/remove one of them/);
    expect(host.contributions("sources").map((c) => c.id)).toEqual(["mysql", "odoo", "postgres"]);
  });

  it("refuses an unknown contribution with a message naming what is installed", () => {
    const host = builtinPluginHost();
    expect(() => host.contribution("storageProviders", "nope", "provider")).toThrow(/Unknown storage provider "nope".*Installed: (\w+, )*local\b/);
  });

  it("turns a throwing testConnection into a failed result, and other plugin errors into readable errors", async () => {
    const dir = makePluginsDir({
      extra: {
        "storage-flaky": {
          "package.json": manifest("storage-flaky"),
          "index.js": `export function activate() { return { storageProviders: { "storage-flaky": { create() { return {
            async testConnection() { throw new Error("socket hang up"); },
            async put() { throw new TypeError("cannot read properties of undefined"); },
          }; } } } }; }`,
        },
      },
    });
    const client = (await new PluginHost(dir).storageProvider("storage-flaky")).create({});
    expect(await client.testConnection()).toEqual({ ok: false, message: "socket hang up" });
    await expect(client.put("k", Readable.from([]))).rejects.toMatchObject({ name: "ExternalError", message: "cannot read properties of undefined" });
  });
});
