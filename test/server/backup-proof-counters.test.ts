import { type Readable } from "node:stream";
import tar from "tar-stream";
import { describe, expect, it } from "vitest";
import { CopyRowCounter, tableName } from "@/server/backups/proof/copy-row-counter";
import { TarCounter } from "@/server/backups/proof/tar-counter";

function countIn(chunks: Array<string | Buffer>): Record<string, number> {
  const counter = new CopyRowCounter();
  for (const chunk of chunks) counter.update(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return counter.result();
}

/** Every way of cutting `text` into chunks of `size` bytes. */
function cut(text: string, size: number): Buffer[] {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return chunks;
}

const DUMP = [
  "SET statement_timeout = 0;",
  "CREATE TABLE public.partner (id integer, name text);",
  "COPY public.partner (id, name) FROM stdin;",
  "1\tAcme",
  "2\ta backslash \\\\. inside",
  "3\t\\\\.",
  "4\tline one\\nline two",
  "\\.",
  "",
  'COPY "Sales"."Order Line" (id) FROM stdin;',
  "\\.",
  "",
  "COPY public.note (body) FROM stdin;",
  "\\N",
  "\\\\.",
  "\\.",
  "SELECT pg_catalog.setval('public.partner_id_seq', 4, true);",
  "",
].join("\n");

describe("the COPY row counter", () => {
  it("counts rows per table as written in the COPY statement, whatever the chunk boundaries", () => {
    const expected = { "public.partner": 4, '"Sales"."Order Line"': 0, "public.note": 2 };
    for (const size of [1, 2, 3, 5, 7, 64, 4096]) expect(countIn(cut(DUMP, size))).toEqual(expected);
  });

  it("counts many tables and very long lines without holding them", () => {
    const long = "x".repeat(3_000_000);
    const parts: string[] = [];
    for (let t = 0; t < 300; t++) parts.push(`COPY public.t${t} (a) FROM stdin;\n${Array.from({ length: t % 7 }, () => `${t}\n`).join("")}\\.\n`);
    parts.push(`COPY public.big (a) FROM stdin;\n${long}\n${long}\n\\.\n`);
    const counts = countIn(cut(parts.join(""), 65536));
    expect(Object.keys(counts)).toHaveLength(301);
    expect(counts["public.t13"]).toBe(6);
    expect(counts["public.t14"]).toBe(0);
    expect(counts["public.big"]).toBe(2);
  });

  it("reads quoted, schema-qualified names", () => {
    expect(tableName('public."a ""b"" (c)" (id) FROM stdin;')).toBe('public."a ""b"" (c)"');
    expect(tableName("public.t FROM stdin;")).toBe("public.t");
    expect(tableName('"unterminated')).toBeNull();
  });
});

async function tarOf(entries: Array<{ name: string; body?: string; type?: "directory" | "symlink" }>): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    if (e.type === "directory") pack.entry({ name: e.name, type: "directory" });
    else if (e.type === "symlink") pack.entry({ name: e.name, type: "symlink", linkname: "target" });
    else pack.entry({ name: e.name }, e.body ?? "");
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack as unknown as Readable) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function countTar(bytes: Buffer, size: number) {
  const counter = new TarCounter();
  for (let i = 0; i < bytes.length; i += size) await counter.update(bytes.subarray(i, i + size));
  return counter.result();
}

describe("the tar counter", () => {
  it("counts regular files and their bytes, not folders or links", async () => {
    const bytes = await tarOf([
      { name: "filestore", type: "directory" },
      { name: "filestore/ab/1", body: "hello" },
      { name: "filestore/ab/2", body: "x".repeat(70_000) },
      { name: "filestore/link", type: "symlink" },
      { name: "filestore/empty", body: "" },
    ]);
    for (const size of [1000, 512, 65536]) expect(await countTar(bytes, size)).toEqual({ files: 3, bytes: 70_005 });
  });

  it("records nothing for a tar that ends early", async () => {
    const bytes = await tarOf([{ name: "a", body: "y".repeat(5000) }]);
    expect(await countTar(bytes.subarray(0, 1024), 100)).toBeNull();
  });
});
