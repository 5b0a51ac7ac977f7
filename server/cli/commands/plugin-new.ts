import fs from "node:fs";
import path from "node:path";
import semver from "semver";
import { PLUGIN_API_VERSION } from "@/server/plugins/host";
import { PROJECT_ROOT } from "../project-root";

const TEMPLATES = path.join(PROJECT_ROOT, "server/cli/scaffold");

/** What `plugin new <kind>` knows about each kind: manifest keys and words for the generated files. */
const KINDS = {
  storage: { label: "storage provider", contributes: "storageProviders", event: "onStorageProvider", capabilities: "" },
  source: { label: "source", contributes: "sources", event: "onSource", capabilities: "" },
  server: { label: "server kind", contributes: "serverKinds", event: "onServerKind", capabilities: "" },
  notifier: { label: "notifier", contributes: "notifiers", event: "onNotifier", capabilities: "" },
} as const;
type Kind = keyof typeof KINDS;

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => values[name] ?? whole);
}

/**
 * `safehold plugin new <kind> <name> [--dir D]`: writes a working plugin folder `<kind>-<name>` (manifest,
 * src/index.ts, an esbuild build, a vitest test calling the testkit's contract suite, README) under D
 * (default: the first folder of SAFEHOLD_PLUGINS_DIR, else ./plugins).
 */
export async function pluginNewCommand(kind: string | undefined, name: string | undefined, options: { dir?: string }): Promise<void> {
  if (!kind || !(kind in KINDS)) throw new Error(`Usage: safehold plugin new <${Object.keys(KINDS).join("|")}> <name> [--dir D]`);
  if (!name || !/^[a-z][a-z0-9-]*$/.test(name)) throw new Error("The name is lowercase letters, digits and dashes, starting with a letter (e.g. demo)");
  const spec = KINDS[kind as Kind];
  const parent = path.resolve(options.dir ?? process.env.SAFEHOLD_PLUGINS_DIR?.split(path.delimiter).find(Boolean) ?? "plugins");
  const pluginId = `${kind}-${name}`;
  const target = path.join(parent, pluginId);
  if (fs.existsSync(target)) throw new Error(`${target} already exists`);
  const title = name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => `${dash ? " " : ""}${c.toUpperCase()}`);
  const values: Record<string, string> = {
    pluginId,
    id: name,
    kind,
    kindLabel: spec.label,
    title,
    description: `${title}: a ${spec.label} scaffolded by safehold plugin new`,
    apiRange: `^${semver.major(PLUGIN_API_VERSION)}.0.0`,
    apiVersion: PLUGIN_API_VERSION,
    // The API packages are not published: the plugin builds and tests against this console's copies.
    apiPackage: `file:${path.join(PROJECT_ROOT, "packages/plugin-api")}`,
    testkitPackage: `file:${path.join(PROJECT_ROOT, "packages/plugin-testkit")}`,
    activationEvent: `${spec.event}:${name}`,
    contributionKind: spec.contributes,
    capabilities: spec.capabilities,
    configSchema: fs.readFileSync(path.join(TEMPLATES, kind, "config.json.tmpl"), "utf8").trim(),
  };
  const files: Record<string, string> = {
    "package.json": path.join(TEMPLATES, "common/package.json.tmpl"),
    "README.md": path.join(TEMPLATES, "common/README.md.tmpl"),
    "tsconfig.json": path.join(TEMPLATES, "common/tsconfig.json.tmpl"),
    "src/index.ts": path.join(TEMPLATES, kind, "index.ts.tmpl"),
    "test/contract.test.ts": path.join(TEMPLATES, kind, "contract.test.ts.tmpl"),
  };
  for (const [file, template] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
    fs.writeFileSync(path.join(target, file), fill(fs.readFileSync(template, "utf8"), values));
  }
  // The manifest must be valid JSON once filled in: fail here rather than in the console.
  JSON.parse(fs.readFileSync(path.join(target, "package.json"), "utf8"));
  console.log(`Created ${target}`);
  console.log(`Next: cd ${path.relative(process.cwd(), target) || "."} && npm install && npm test (it builds dist/index.js first); then restart the console (SAFEHOLD_PLUGINS_DIR must include ${parent})`);
}
