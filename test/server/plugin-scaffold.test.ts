import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activatePlugin, describeStorageContract } from "@safehold/plugin-testkit";
import { launchBrowser, screenshot, signIn } from "../helpers/browser";
import { startConsoleWithMembers, type ConsoleWithMembers } from "../helpers/console-members";
import { ROOT, runCli } from "../helpers/console-process";

/**
 * `safehold plugin new storage demo` writes a plugin folder that builds on its own, that a console loads from a
 * second plugins folder without being rebuilt, and that passes the storage contract suite of the testkit.
 */
const work = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-scaffold-"));
const pluginsDir = path.join(work, "plugins");
const pluginDir = path.join(pluginsDir, "storage-demo");

beforeAll(async () => {
  fs.mkdirSync(pluginsDir);
  // What `npm install` would give the folder: the API, the testkit and esbuild (offline here: the console's own).
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(work, "node_modules"));
  const created = await runCli(["plugin", "new", "storage", "demo", "--dir", pluginsDir], {});
  expect(created, created.stderr).toMatchObject({ code: 0 });
  expect(created.stdout).toContain(`Created ${pluginDir}`);
  execFileSync("npm", ["run", "build"], { cwd: pluginDir, env: { ...process.env, PATH: `${path.join(ROOT, "node_modules/.bin")}${path.delimiter}${process.env.PATH}` }, stdio: "pipe" });
}, 120_000);

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

it("scaffolds a manifest the console accepts, and a bundle that needs no node_modules", () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(pluginDir, "package.json"), "utf8")) as Record<string, unknown>;
  expect(manifest).toMatchObject({ name: "storage-demo", main: "./dist/index.js", engines: { safehold: "^2.0.0" }, activationEvents: ["onStorageProvider:demo"] });
  // The API packages are not published: `npm install` in the plugin links this console's copies.
  expect(manifest.devDependencies).toMatchObject({ "@safehold/plugin-api": `file:${path.join(ROOT, "packages/plugin-api")}`, "@safehold/plugin-testkit": `file:${path.join(ROOT, "packages/plugin-testkit")}` });
  for (const file of ["src/index.ts", "test/contract.test.ts", "README.md"]) expect(fs.existsSync(path.join(pluginDir, file)), file).toBe(true);
  // The runtime part of the plugin API (PluginError) is bundled in: the folder works without the console's node_modules.
  const bundle = fs.readFileSync(path.join(pluginDir, "dist/index.js"), "utf8");
  expect(bundle).not.toMatch(/from\s+["']@safehold\/plugin-api["']/);
  expect(bundle).toContain("safehold.plugin-error");
});

it("refuses an existing folder and an unknown kind", async () => {
  expect(await runCli(["plugin", "new", "storage", "demo", "--dir", pluginsDir], {})).toMatchObject({ code: 1, stderr: expect.stringContaining("already exists") });
  expect(await runCli(["plugin", "new", "widget", "demo", "--dir", pluginsDir], {})).toMatchObject({ code: 1, stderr: expect.stringContaining("Usage: safehold plugin new") });
});

describeStorageContract("scaffolded demo", async () => {
  const { activation } = await activatePlugin(pluginDir);
  return activation.storageProviders!.demo!.create({ path: fs.mkdtempSync(path.join(work, "contract-")) });
}, { bigObjectMb: 50 });

describe("a console with the scaffolded plugin in a second plugins folder", () => {
  let c: ConsoleWithMembers;

  beforeAll(async () => {
    c = await startConsoleWithMembers({ SAFEHOLD_PLUGINS_DIR: [path.join(ROOT, "plugins"), pluginsDir].join(path.delimiter) });
  }, 300_000);

  afterAll(async () => {
    await c?.stop();
  });

  it("lists it, then stores to it and tests it through the API", async () => {
    const { owner, admin } = c.members;
    const listed = await c.rest(owner, "GET", "/plugins");
    expect(listed.status).toBe(200);
    const items = (listed.body as { items: Array<{ id: string; status: string; error: string | null; engine: string; contributions: Array<{ id: string }> }> }).items;
    expect(items.find((p) => p.id === "storage-demo")).toMatchObject({ status: "inactive", error: null, engine: "^2.0.0", contributions: [expect.objectContaining({ id: "demo", kind: "storageProvider" })] });
    expect(items.find((p) => p.id === "storage-local")).toMatchObject({ error: null });

    const saved = await c.rest(admin, "POST", "/storage-locations", { name: "Demo", provider: "demo", config: { path: fs.mkdtempSync(path.join(work, "location-")) } });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const tested = await c.rest(admin, "POST", `/storage-locations/${(saved.body as { id: string }).id}/test`, {});
    expect(tested).toMatchObject({ status: 200, body: { ok: true, message: expect.stringContaining("is writable") } });
    const after = (await c.rest(owner, "GET", "/plugins")).body as { items: Array<{ id: string; status: string }> };
    expect(after.items.find((p) => p.id === "storage-demo")?.status).toBe("active");
    const apiVersion = (JSON.parse(fs.readFileSync(path.join(ROOT, "packages/plugin-api/package.json"), "utf8")) as { version: string }).version;
    expect(c.app.logs()).toContain(`[plugins] [storage-demo] storage-demo activated (plugin API ${apiVersion})`);
  });

  it("shows it on the Plugins page", async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await signIn(page, c.app.url, c.members.viewer.email, "viewer-password-1");
      await page.goto(`${c.app.url}/plugins`);
      // Its card: the manifest's displayName, then id and version.
      await page.getByRole("heading", { name: "Demo", exact: true }).waitFor();
      await page.getByText(/^storage-demo · v0\.1\.0$/).waitFor();
      await screenshot(page, "plugins-scaffolded-demo");
    } finally {
      await browser.close();
    }
  });

  it("disposes the plugin's subscriptions when the console shuts down", async () => {
    expect(await c.app.stop()).toBe(0);
    expect(c.app.logs()).toContain("[plugins] [storage-demo] storage-demo disposed its resources");
  });
});
