import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** Every configuration field name the installed plugins declare. */
function pluginFieldNames(): string[] {
  const names = new Set<string>();
  for (const folder of fs.readdirSync(path.join(ROOT, "plugins"))) {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "plugins", folder, "package.json"), "utf8")) as {
      contributes: Record<string, Array<{ configSchema: { properties: Record<string, unknown> } }>>;
    };
    for (const list of Object.values(manifest.contributes)) for (const c of list) for (const name of Object.keys(c.configSchema.properties)) names.add(name);
  }
  return [...names].sort();
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true }).filter((e) => e.isFile() && /\.tsx?$/.test(e.name)).map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

/** Words the console uses for its own things too (HTML autocomplete names, its own settings), so only accesses on a configuration count for them. */
const COMMON_WORDS = new Set(["database", "format", "from", "host", "password", "path", "port", "prefix", "region", "secret", "secure", "security", "to", "url", "user", "username"]);

/**
 * The console knows plugins only through their manifests: what a field means (identity, data location, copy
 * target, discovered, host key, summary) is declared there. A field name in the core is a plugin's detail leaking in.
 */
describe("the core, the UI and their shared modules name no plugin's configuration fields", () => {
  const names = pluginFieldNames();
  const onConfig = new RegExp(`\\b\\w*[cC]onfig\\??\\.(${names.join("|")})\\b|\\[\\s*["'\`](${names.join("|")})["'\`]\\s*\\]`);
  const distinctive = names.filter((n) => !COMMON_WORDS.has(n));
  const literal = new RegExp(`["'\`](${distinctive.join("|")})["'\`]`);

  it("knows the plugins' field names to look for", () => {
    expect(names).toEqual(expect.arrayContaining(["database", "dataDir", "hostKeyFingerprint", "bucket", "host"]));
  });

  it.each(["server", "app", "shared"])("%s/ has no access to a plugin field on a configuration and no distinctive field name", (dir) => {
    const hits: string[] = [];
    for (const file of sourceFiles(dir)) {
      fs.readFileSync(path.join(ROOT, file), "utf8")
        .split("\n")
        .forEach((line, i) => {
          if (onConfig.test(line) || literal.test(line)) hits.push(`${file}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(hits).toEqual([]);
  });
});
