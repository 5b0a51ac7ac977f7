import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const PLUGINS = path.join(ROOT, "plugins");

const pluginNames = fs
  .readdirSync(PLUGINS, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

/** Every TypeScript file under `plugins/<name>/src`, as a path relative to the repository. */
function pluginSourceFiles(name: string): string[] {
  const src = path.join(PLUGINS, name, "src");
  if (!fs.existsSync(src)) return [];
  return fs
    .readdirSync(src, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|tsx|mts|cts)$/.test(e.name))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)))
    .sort();
}

/** The module specifiers of a file: static imports and re-exports, side-effect imports, `import()` and `require()`. */
function importSpecifiers(code: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^;'"`]*?\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\b(?:import|require)\s*\(\s*["'`]([^"'`]+)["'`]\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of code.matchAll(pattern)) found.push(match[1]!);
  return found;
}

/** Why `specifier`, imported by `file` of plugin `plugin`, breaks the plugin's isolation; null when it does not. */
function isolationProblem(plugin: string, file: string, specifier: string): string | null {
  if (specifier.startsWith("@/") || specifier === "@" || /^(server|app)(\/|$)/.test(specifier)) return "imports a console module";
  if (path.isAbsolute(specifier)) return "imports an absolute path";
  if (specifier.startsWith(".")) {
    const pluginDir = path.join(PLUGINS, plugin);
    const resolved = path.resolve(ROOT, path.dirname(file), specifier);
    const rel = path.relative(pluginDir, resolved);
    if (rel.startsWith("..") || path.isAbsolute(rel)) return `leaves plugins/${plugin}/ (resolves to ${path.relative(ROOT, resolved)})`;
    return null;
  }
  // Built-in plugins are npm workspaces, so another plugin is reachable by its bare name too.
  const first = specifier.split("/")[0]!;
  if (first !== plugin && pluginNames.includes(first)) return `imports the plugin ${first}`;
  return null;
}

/**
 * A plugin is a drop-in folder: it reaches shared code through packages (`@safehold/plugin-api`,
 * `@safehold/plugin-helpers`, …), never through another plugin's sources or the console's own modules.
 */
describe("plugins import only packages, never another plugin's or the console's sources", () => {
  it("finds the built-in plugins' sources", () => {
    expect(pluginNames).toEqual(expect.arrayContaining(["source-odoo", "source-postgres", "source-mysql", "server-ssh", "storage-sftp"]));
    for (const name of pluginNames) expect(pluginSourceFiles(name).length, name).toBeGreaterThan(0);
  });

  it("recognises imports that leave a plugin", () => {
    const file = "plugins/source-odoo/src/odoo-source.ts";
    expect(importSpecifiers(`import { x } from "../../source-postgres/src/connect";\nexport { y } from './y';\nimport "z";\nconst m = await import("w");`)).toEqual([
      "../../source-postgres/src/connect",
      "./y",
      "z",
      "w",
    ]);
    expect(isolationProblem("source-odoo", file, "../../source-postgres/src/connect")).toMatch(/leaves plugins\/source-odoo/);
    expect(isolationProblem("source-odoo", file, "../../../server/plugins/host")).toMatch(/leaves/);
    expect(isolationProblem("source-odoo", file, "@/server/db")).toMatch(/console module/);
    expect(isolationProblem("source-odoo", file, "server/env")).toMatch(/console module/);
    expect(isolationProblem("source-odoo", file, "source-postgres/src/connect")).toMatch(/plugin source-postgres/);
    expect(isolationProblem("source-odoo", file, "./config")).toBeNull();
    expect(isolationProblem("source-odoo", file, "../package.json")).toBeNull();
    expect(isolationProblem("source-odoo", file, "@safehold/plugin-helpers")).toBeNull();
    expect(isolationProblem("source-odoo", file, "node:stream")).toBeNull();
  });

  it.each(pluginNames)("%s imports nothing outside its folder", (plugin) => {
    const problems: string[] = [];
    for (const file of pluginSourceFiles(plugin)) {
      const code = fs.readFileSync(path.join(ROOT, file), "utf8");
      for (const specifier of importSpecifiers(code)) {
        const problem = isolationProblem(plugin, file, specifier);
        if (problem) problems.push(`${file}: "${specifier}" ${problem}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
