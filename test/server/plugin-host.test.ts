import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { callContext, testOptions } from "@/server/plugins/call-context";
import { PLUGIN_API_VERSION, PluginHost } from "@/server/plugins/host";
import { builtinPluginHost } from "../helpers/fixtures";
import { makePluginsDir } from "../helpers/plugin-dirs";

const manifest = (name: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    name,
    version: "1.0.0",
    main: "./index.js",
    type: "module",
    engines: { safehold: "^2.0.0" },
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
    expect((await client.testConnection(callContext("test"), testOptions())).ok).toBe(true);
    expect(await b.create({ path: root }).list("")).toEqual([]);
  });

  it("lists broken plugins with their errors and keeps every other plugin working", async () => {
    const dir = makePluginsDir({
      extra: {
        "bad-json": { "package.json": "{ not json" },
        "no-manifest": { "index.js": "export function activate() { return {}; }" },
        "bad-manifest": { "package.json": JSON.stringify({ name: "bad-manifest", version: "1.0.0", main: "./index.js", engines: { safehold: "^1.0.0" }, contributes: {} }) },
        "missing-main": { "package.json": manifest("missing-main") },
        "incompatible": { "package.json": manifest("incompatible", { engines: { safehold: "^1.0.0" } }), "index.js": "export function activate() { return {}; }" },
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
    expect(byId["incompatible"]).toMatchObject({ status: "error", error: `Incompatible: requires Safehold plugin API ^1.0.0 (engines.safehold), this console provides ${PLUGIN_API_VERSION}` });

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
            async get() {}, async delete() {}, async list() { return []; },
          }; } } } }; }`,
        },
      },
    });
    const client = (await new PluginHost(dir).storageProvider("storage-flaky")).create({});
    expect(await client.testConnection(callContext("test"), testOptions())).toEqual({ ok: false, message: "socket hang up" });
    await expect(client.put("k", Readable.from([]))).rejects.toMatchObject({ name: "ExternalError", message: "cannot read properties of undefined" });
  });
  it("provides the API version of the @safehold/plugin-api package", async () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, "../../packages/plugin-api/package.json"), "utf8")) as { version: string };
    expect(PLUGIN_API_VERSION).toBe(pkg.version);
    expect(PLUGIN_API_VERSION).toMatch(/^2\./);
  });

  it("maps PluginError codes to domain errors, fills optional methods from a base, and refuses objects without required ones", async () => {
    const errors = `const err = (code, retryable) => Object.assign(new Error(code + " happened"), { code, retryable, [Symbol.for("safehold.plugin-error")]: true });`;
    const dir = makePluginsDir({
      extra: {
        "storage-typed": {
          "package.json": manifest("storage-typed"),
          "index.js": `${errors}
          export function activate() { return { storageProviders: { "storage-typed": { create(config) {
            if (config.broken) return { async put() {} };
            return {
              async testConnection() { return { ok: true, message: "fine" }; },
              async put() { throw err("UNAVAILABLE", true); },
              async get() { throw err("NOT_FOUND", false); },
              async delete() { throw err("UNAUTHORIZED", false); },
              async list() { throw Object.assign(err("INVALID_CONFIG", false), { field: "path" }); },
            };
          } } } }; }`,
        },
      },
    });
    const provider = await new PluginHost(dir).storageProvider("storage-typed");
    const client = provider.create({});
    await expect(client.put("k", Readable.from([]))).rejects.toMatchObject({ code: "external", pluginCode: "UNAVAILABLE", retryable: true, message: "UNAVAILABLE happened" });
    await expect(client.get("k")).rejects.toMatchObject({ code: "not_found", pluginCode: "NOT_FOUND", message: "NOT_FOUND happened" });
    await expect(client.delete("k")).rejects.toMatchObject({ code: "external", pluginCode: "UNAUTHORIZED", retryable: false });
    await expect(client.list("")).rejects.toMatchObject({ code: "validation", fields: { "config.path": "INVALID_CONFIG happened" } });
    // Optional methods come from the base: close is a no-op, presignGet says it is not supported.
    await expect(client.close()).resolves.toBeUndefined();
    await expect(client.presignGet("k", 60, "f")).rejects.toMatchObject({ code: "validation", pluginCode: "NOT_SUPPORTED" });
    expect(() => provider.create({ broken: true })).toThrow("Plugin storage-typed returned a storage client without testConnection, get, delete, list");
  });

  it("fills in the source methods a source does not declare, throwing NOT_SUPPORTED", async () => {
    const source = await builtinPluginHost().source("postgres");
    await expect(source.discover({ config: {}, server: {} as never, log: callContext("t").log })).rejects.toMatchObject({ pluginCode: "NOT_SUPPORTED" });
  });

  it("calls deactivate and disposes subscriptions, last pushed first, at shutdown", async () => {
    const record = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "safehold-dispose-")), "order.txt");
    const dir = makePluginsDir({
      extra: {
        "storage-disposing": {
          "package.json": manifest("storage-disposing"),
          "index.js": `import fs from "node:fs";
          const note = (line) => fs.appendFileSync(${JSON.stringify(record)}, line + "\\n");
          export function activate(context) {
            context.log.info("activated with API " + context.apiVersion);
            context.subscriptions.push({ dispose: () => note("first") }, { dispose: async () => note("second") }, { dispose: () => { throw new Error("a broken disposable"); } });
            return { storageProviders: { "storage-disposing": { create() { return {}; } } } };
          }
          export function deactivate() { note("deactivate"); }`,
        },
      },
    });
    const lines: string[] = [];
    const host = new PluginHost(dir, (line) => lines.push(line));
    await host.storageProvider("storage-disposing");
    await host.dispose();
    expect(fs.readFileSync(record, "utf8").split("\n").filter(Boolean)).toEqual(["deactivate", "second", "first"]);
    expect(lines).toContain(`[storage-disposing] activated with API ${PLUGIN_API_VERSION}`);
    expect(lines.some((l) => l.includes("storage-disposing: disposing a subscription failed: a broken disposable"))).toBe(true);
    await expect(host.storageProvider("storage-disposing")).rejects.toThrow(/shutting down/);
  });

  it("reads plugins from several folders; a plugin id in two folders puts both in error; refused plugins are logged at start", () => {
    const first = makePluginsDir();
    const second = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-plugins-more-"));
    fs.mkdirSync(path.join(second, "storage-extra"));
    fs.writeFileSync(path.join(second, "storage-extra", "package.json"), manifest("storage-extra"));
    fs.writeFileSync(path.join(second, "storage-extra", "index.js"), "export function activate() { return {}; }");
    fs.mkdirSync(path.join(second, "local-again"));
    fs.writeFileSync(path.join(second, "local-again", "package.json"), manifest("storage-local"));
    fs.mkdirSync(path.join(second, "too-old"));
    fs.writeFileSync(path.join(second, "too-old", "package.json"), manifest("too-old", { engines: { safehold: "^1.1.0" } }));
    const lines: string[] = [];
    const host = new PluginHost([first, second], (line) => lines.push(line));
    const byDir = (dir: string) => host.plugins.find((p) => p.dir === dir);
    expect(byDir(path.join(second, "storage-extra"))).toMatchObject({ id: "storage-extra", status: "inactive" });
    expect(byDir(path.join(first, "storage-local"))).toMatchObject({ status: "error", error: expect.stringContaining("Another plugin is also named storage-local") });
    expect(byDir(path.join(second, "local-again"))).toMatchObject({ status: "error", error: expect.stringContaining("Another plugin is also named storage-local") });
    const refused = lines.find((l) => l.includes("plugin(s) refused"));
    expect(refused).toContain(`too-old (${path.join(second, "too-old")}): Incompatible: requires Safehold plugin API ^1.1.0 (engines.safehold), this console provides ${PLUGIN_API_VERSION}`);
    expect(refused).toContain("storage-local");
  });
});
