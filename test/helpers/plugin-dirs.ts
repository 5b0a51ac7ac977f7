import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { BUILTIN_PLUGINS } from "./fixtures";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/plugins");

/** A temp plugins dir holding (symlinks to) the built-in plugins, the named fixtures, and any extra folders written by the test. */
export function makePluginsDir(options: { fixtures?: string[]; extra?: Record<string, Record<string, string>> } = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-plugins-"));
  for (const name of fs.readdirSync(BUILTIN_PLUGINS)) fs.symlinkSync(path.join(BUILTIN_PLUGINS, name), path.join(dir, name));
  for (const name of options.fixtures ?? []) fs.symlinkSync(path.join(FIXTURES, name), path.join(dir, name));
  for (const [folder, files] of Object.entries(options.extra ?? {})) {
    fs.mkdirSync(path.join(dir, folder));
    for (const [file, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, folder, file), content);
  }
  return dir;
}
