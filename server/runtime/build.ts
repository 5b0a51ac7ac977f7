import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const SOURCES = ["app", "server", "plugins", "public", "next.config.mjs", "postcss.config.mjs", "package-lock.json", "tsconfig.json"];
const SKIP = new Set(["node_modules", "dist", ".next"]);

function newestMtime(entry: string): number {
  let stats: fs.Stats;
  try {
    stats = fs.statSync(entry);
  } catch {
    return 0;
  }
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const child of fs.readdirSync(entry)) {
    if (!SKIP.has(child)) newest = Math.max(newest, newestMtime(path.join(entry, child)));
  }
  return newest;
}

/** Why a build is needed, or null: no build yet, a plugin not built, or sources newer than the build. */
export function buildNeeded(root: string): string | null {
  const buildId = path.join(root, ".next", "BUILD_ID");
  if (!fs.existsSync(buildId)) return "no build yet";
  for (const dir of fs.readdirSync(path.join(root, "plugins"), { withFileTypes: true })) {
    const manifest = path.join(root, "plugins", dir.name, "package.json");
    if (!dir.isDirectory() || !fs.existsSync(manifest)) continue;
    const { main, scripts } = JSON.parse(fs.readFileSync(manifest, "utf8")) as { main?: string; scripts?: { build?: string } };
    if (scripts?.build && main && !fs.existsSync(path.join(root, "plugins", dir.name, main))) return `plugin ${dir.name} not built`;
  }
  const builtAt = fs.statSync(buildId).mtimeMs;
  const changed = SOURCES.find((s) => newestMtime(path.join(root, s)) > builtAt);
  return changed ? `${changed} changed since the last build` : null;
}

export async function build(root: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn("npm", ["run", "build"], { cwd: root, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`npm run build failed (exit code ${code})`))));
  });
}
