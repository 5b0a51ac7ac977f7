import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SourceContribution } from "@safehold/plugin-api";
import { builtinPluginHost } from "../helpers/fixtures";
import { artifactStream } from "@safehold/plugin-helpers";

const DUMP = "--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\n";
const MANIFEST = JSON.stringify({ odoo_dump: "1", db_name: "acme", version: "16.0", version_info: [16, 0, 0, "final", 0, ""], major_version: "16.0", pg_version: "15.0", modules: { base: "16.0.1.3" } });
let dir: string;
let source: SourceContribution;

/** A zip of `entries` (name → text, or `zeros:N` for N zero bytes), written by Python's zipfile. */
function zip(name: string, entries: Array<[string, string]>): string {
  const target = path.join(dir, name);
  const script = [
    "import sys, json, zipfile",
    "with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:",
    "    for name, content in json.loads(sys.stdin.read()):",
    "        info = zipfile.ZipInfo(name)",
    "        info.compress_type = zipfile.ZIP_DEFLATED",
    "        if content.startswith('zeros:'):",
    "            with z.open(info, 'w', force_zip64=True) as f:",
    "                for _ in range(int(content[6:]) // (1 << 20)): f.write(bytes(1 << 20))",
    "        else: z.writestr(info, content)",
  ].join("\n");
  execFileSync("python3", ["-c", script, target], { input: JSON.stringify(entries) });
  return target;
}

/** Imports `file` as the Odoo source does and reads every artifact to its end; the first error's message, or null. */
async function importError(file: string): Promise<string | null> {
  const controller = new AbortController();
  const log = { info() {}, warn() {}, error() {}, debug() {}, trace() {} };
  try {
    const produced = await source.importArchive!({ fileName: path.basename(file), input: fs.createReadStream(file), config: {}, signal: controller.signal, log } as never);
    for await (const artifact of produced.artifacts) for await (const _chunk of artifactStream(artifact)) void _chunk;
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-import-checks-"));
  source = await builtinPluginHost().source("odoo");
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("what an imported file is checked for", () => {
  it("accepts a minimal Odoo zip, its manifest read after the artifacts", async () => {
    expect(await importError(zip("ok.zip", [["filestore/ab/abc", "x"], ["dump.sql", DUMP], ["manifest.json", MANIFEST]]))).toBeNull();
  });

  it.each([
    ["not-json.zip", [["dump.sql", DUMP], ["manifest.json", "{not json"]], "The zip's manifest.json is not valid JSON"],
    ["not-odoo.zip", [["dump.sql", DUMP], ["manifest.json", JSON.stringify({ version: "16.0" })]], 'The zip\'s manifest.json is not an Odoo backup manifest: its "odoo_dump" is not "1"'],
    ["big-manifest.zip", [["dump.sql", DUMP], ["manifest.json", `{"pad": "${"x".repeat(1100 * 1024)}"}`]], "The zip's manifest.json is larger than 1 MiB: it is not an Odoo manifest"],
    ["escape.zip", [["dump.sql", DUMP], ["filestore/../../etc/cron.d/x", "x"]], 'The zip\'s filestore holds an unsafe entry "filestore/././etc/cron.d/x" (a path that leaves the folder through ".."): refusing the file'],
    ["absolute.zip", [["dump.sql", DUMP], ["filestore//etc/passwd", "x"]], 'The zip\'s filestore holds an unsafe entry "filestore//etc/passwd" (an absolute path): refusing the file'],
    ["control.zip", [["dump.sql", DUMP], ["filestore/ab/a\u001b[2Jb", "x"]], "The zip holds an entry with a name with control characters: refusing the file"],
    ["two-dumps.zip", [["dump.sql", DUMP], ["dump.sql", DUMP]], "The zip holds more than one dump.sql"],
    ["split.zip", [["filestore/ab/1", "x"], ["dump.sql", DUMP], ["filestore/ab/2", "y"]], "The zip's filestore entries are split by dump.sql: it cannot be read as it arrives; zip the filestore before or after dump.sql"],
    ["not-pg.zip", [["dump.sql", "DROP TABLE users;\n"]], 'The zip\'s dump.sql is not a pg_dump dump: it began with "DROP TABLE users;\\n"'],
    ["bomb.zip", [["dump.sql", DUMP], ["extra/zeros", "zeros:400000000"]], "The zip unpacks to more than 200 times its size: refusing it as a zip bomb"],
  ] as Array<[string, Array<[string, string]>, string]>)("refuses %s", async (name, entries, message) => {
    expect(await importError(zip(name, entries))).toBe(message);
  });

  it("refuses a .zip that is no zip, and a cut .sql.gz", async () => {
    const fake = path.join(dir, "fake.zip");
    fs.writeFileSync(fake, "hello, this is text");
    expect(await importError(fake)).toBe("The file is not a zip: it does not begin as one (it may be damaged or not a zip at all)");
    const gz = path.join(dir, "cut.sql.gz");
    execFileSync("sh", ["-c", `head -c 100000 /dev/urandom | base64 | sed '1i --\\n-- PostgreSQL database dump\\n--' | gzip -c | head -c 20000 > "${gz}"`]);
    expect(await importError(gz)).toBe("The .gz file is damaged or truncated");
  });
});
