import path from "node:path";
import { build, type Metafile } from "esbuild";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");

async function metafile(entry: string): Promise<Metafile> {
  const result = await build({
    entryPoints: [path.join(ROOT, entry)],
    bundle: true,
    write: false,
    metafile: true,
    platform: "node",
    format: "esm",
    packages: "external",
    alias: { "@": ROOT },
    logLevel: "silent",
  });
  return result.metafile;
}

/**
 * The web process runs the console's HTTP server (loaded by tsx) in front of Next's build, which bundles the
 * server code again. Anything the HTTP server imports exists twice in that process: it must hold nothing the
 * two copies could disagree on (a database pool, the plugin host, error classes). The one thing it reaches
 * across is the plugin host's slot on globalThis (host-registry.ts), to deactivate the plugins at shutdown.
 */
describe("the web process loads the server code once", () => {
  it("`safehold web` imports only stateless request helpers outside Next's build", async () => {
    const inputs = Object.keys((await metafile("server/cli/commands/web.ts")).inputs).sort();
    const allowed = [/^server\/cli\/commands\/web\.ts$/, /^server\/cli\/project-root\.ts$/, /^server\/env\.ts$/, /^server\/http\/[a-z-]+\.ts$/, /^server\/runtime\/(web|shutdown)\.ts$/, /^server\/plugins\/host-registry\.ts$/];
    expect(inputs.filter((input) => !allowed.some((a) => a.test(input)))).toEqual([]);
    expect(inputs).toContain("server/runtime/web.ts");
  });

  it("the CLI entry imports each command only when it runs", async () => {
    const main = (await metafile("server/cli/main.ts")).inputs["server/cli/main.ts"]!;
    const commands = main.imports.filter((i) => i.original?.startsWith("./commands/"));
    expect(commands.length).toBeGreaterThan(5);
    expect(commands.filter((i) => i.kind !== "dynamic-import").map((i) => i.original)).toEqual([]);
  });
});
