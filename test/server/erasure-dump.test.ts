import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { describe, expect, it } from "vitest";
import { decodeCopyField, encodeCopyField, parseCopyHeader } from "@/plugins/source-odoo/src/erasure-copy-format";
import { eraseDump } from "@/plugins/source-odoo/src/erasure-dump";

const signal = () => new AbortController().signal;

/** A dump given in small chunks, so lines and escapes fall across chunk boundaries. */
function opener(dump: string, chunk = 7): () => Promise<Readable> {
  const bytes = Buffer.from(dump, "utf8");
  return async () => Readable.from((function* () {
    for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
  })());
}

async function erase(dump: string, subjects: string[]) {
  const erased = await eraseDump(opener(dump), subjects, signal());
  return { out: await text(erased.dump), files: [...(await erased.erasedFiles)].sort() };
}

const row = (...fields: string[]) => fields.join("\t");

/** Rows with COPY's escapes where they hurt: tabs, newlines and backslashes in names, `\N` as text, `\.` as text. */
const KEPT = row("5", "Tab\\there, new\\nline, back\\\\slash", "jo@example.org", "C:\\\\new\\\\N", "\\\\.");
const DUMP = [
  "--",
  "-- PostgreSQL database dump",
  "--",
  "SET client_encoding = 'UTF8';",
  "",
  'COPY public.res_partner (id, name, email, "comment", ref) FROM stdin;',
  KEPT,
  row("4", "Jane\\tErased \\\\ \\303\\251", "\"Jane\" <Jane@Example.org>", "\\N", "\\N"),
  row("6", "Someone", "\\N", "mentions jane@example.org.other", "\\N"),
  "\\.",
  "",
  "COPY public.res_users (id, login, partner_id, active) FROM stdin;",
  row("7", "jane@example.org", "4", "t"),
  row("8", "jo@example.org", "5", "t"),
  "\\.",
  "",
  "COPY public.ir_attachment (id, name, res_model, res_id, store_fname, index_content) FROM stdin;",
  row("1", "passport.pdf", "res.partner", "4", "ab/ab00000000000000000000000000000000000000", "Jane\\nErased"),
  row("2", "shared.png", "res.partner", "4", "cd/cd00000000000000000000000000000000000000", "\\N"),
  row("3", "shared copy.png", "res.partner", "5", "cd/cd00000000000000000000000000000000000000", "\\N"),
  "\\.",
  "",
  "COPY public.other_table (id, note) FROM stdin;",
  row("1", "jane@example.org stays: not a table erasure knows"),
  "\\.",
  "",
  "--",
  "-- PostgreSQL database dump complete",
  "--",
  "",
].join("\n");

describe("COPY text format", () => {
  it("decodes escapes (octal and hex as UTF-8 bytes) and \\N, and encodes back what it decoded", () => {
    expect(decodeCopyField("\\N")).toBeNull();
    expect(decodeCopyField("\\\\N")).toBe("\\N");
    expect(decodeCopyField("a\\tb\\nc\\rd\\\\e\\bf\\fg\\vh")).toBe("a\tb\nc\rd\\e\bf\fg\vh");
    expect(decodeCopyField("\\303\\251t\\xc3\\xa9")).toBe("été");
    expect(decodeCopyField("plain ünïcödé ✓")).toBe("plain ünïcödé ✓");
    for (const value of ["Tab\there", "new\nline\r\n", "back\\slash", "\\N", "\\.", "\b\f\v", "", "ok"]) {
      expect(decodeCopyField(encodeCopyField(value))).toBe(value);
      expect(encodeCopyField(value)).not.toMatch(/[\t\n\r]/);
    }
    expect(encodeCopyField(null)).toBe("\\N");
  });

  it("reads COPY headers with quoted identifiers, and nothing else", () => {
    expect(parseCopyHeader('COPY public.res_partner (id, name, "user", "odd ""col""", "Mixed") FROM stdin;')).toEqual({
      schema: "public",
      table: "res_partner",
      columns: ["id", "name", "user", 'odd "col"', "Mixed"],
    });
    expect(parseCopyHeader('COPY "Other.schema"."Weird table" (id) FROM stdin;')).toEqual({ schema: "Other.schema", table: "Weird table", columns: ["id"] });
    expect(parseCopyHeader("COPY public.t (id) TO stdout;")).toBeNull();
    expect(parseCopyHeader("COPY public.t (id, ) FROM stdin;")).toBeNull();
  });
});

describe("erasing from a dump", () => {
  it("rewrites the erased person's rows and leaves every other byte as it was", async () => {
    const { out, files } = await erase(DUMP, ["jane@example.org"]);
    const expected = DUMP.replace(
      row("4", "Jane\\tErased \\\\ \\303\\251", "\"Jane\" <Jane@Example.org>", "\\N", "\\N"),
      row("4", "Erased contact", "\\N", "\\N", "\\N"),
    )
      .replace(row("7", "jane@example.org", "4", "t"), row("7", "erased-7@invalid", "4", "f"))
      .replace(row("1", "passport.pdf", "res.partner", "4", "ab/ab00000000000000000000000000000000000000", "Jane\\nErased"), row("1", "erased", "res.partner", "4", "\\N", "\\N"))
      .replace(row("2", "shared.png", "res.partner", "4", "cd/cd00000000000000000000000000000000000000", "\\N"), row("2", "erased", "res.partner", "4", "\\N", "\\N"));
    expect(out).toBe(expected);
    expect(out).toContain(KEPT);
    // The file a kept attachment shares stays; the one only the person used goes.
    expect(files).toEqual(["ab/ab00000000000000000000000000000000000000"]);
  });

  it("finds the person by record reference, and by their user", async () => {
    const byEmail = await erase(DUMP, ["jane@example.org"]);
    expect((await erase(DUMP, ["res.partner,4"])).out).toBe(byEmail.out);
    expect((await erase(DUMP, ["user,7"])).out).toBe(byEmail.out);
  });

  it("refuses what it cannot rewrite with a one-line reason", async () => {
    const cases: Array<[string, string]> = [
      [DUMP.replace("SET client_encoding = 'UTF8';", "SET client_encoding = 'LATIN1';"), "The database dump is in the LATIN1 encoding: erasure reads UTF-8 dumps only (Odoo's databases are UTF-8)"],
      [DUMP.replace(KEPT, `${KEPT}\textra`), "The database dump has a row of table res_partner with 6 fields where its COPY names 5 columns"],
      [DUMP.slice(0, DUMP.indexOf(KEPT) + KEPT.length), "The database dump ends inside table data: it is incomplete"],
      [`${DUMP}INSERT INTO public.res_partner (id, name) VALUES (9, 'x');\n`, "The database dump holds table res_partner as INSERT statements: erasure rewrites pg_dump's COPY data only"],
      [DUMP.replace("COPY public.res_users (id, login, partner_id, active) FROM stdin;", "COPY public.res_users (id, login, FROM stdin;"), "The database dump has a COPY statement erasure cannot read: COPY public.res_users (id, login, FROM stdin;"],
    ];
    for (const [dump, message] of cases) {
      await expect(erase(dump, ["jane@example.org"]), message).rejects.toThrow(message);
    }
  });

  it("stops reading when aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("The export was cancelled"));
    await expect(eraseDump(opener(DUMP), ["jane@example.org"], controller.signal)).rejects.toThrow("The export was cancelled");
  });
});
