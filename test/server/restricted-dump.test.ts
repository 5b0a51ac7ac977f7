import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServerConnection } from "@/server/plugins/contracts";
import { loadSqlDump, psqlRestrictProblem, requirePgDumpHeader, restrictDump, streamPgDump } from "@safehold/postgres-tools";
import { adminDatabaseUrl, createClientDatabase } from "../helpers/database";
import { builtinPluginHost } from "../helpers/fixtures";

const KEY = "0123456789abcdef0123456789abcdef";
const HEADER = "--\n-- PostgreSQL database dump\n--\n\n";
const refuse = (start: string) => `not a dump (${start})`;

/** A dump as pg_dump 15.14+ writes it, with `\restrict` lines in COPY data that must pass untouched. */
const DUMP = [
  HEADER + "\\restrict DumpKey1",
  "",
  "SET client_encoding = 'UTF8';",
  "COPY public.notes (body) FROM stdin;",
  "\\restrict DumpKey1",
  "\\restrict other",
  "\\unrestrict other",
  "\\.",
  "",
  "--",
  "-- PostgreSQL database dump complete",
  "--",
  "",
  "\\unrestrict DumpKey1",
  "",
].join("\n");

async function rewrite(input: string | Buffer, pieceSize = Number.MAX_SAFE_INTEGER): Promise<string> {
  const bytes = Buffer.from(input);
  const pieces: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += pieceSize) pieces.push(bytes.subarray(i, i + pieceSize));
  let out = "";
  for await (const chunk of Readable.from(pieces).pipe(restrictDump(KEY, refuse))) out += (chunk as Buffer).toString("utf8");
  return out;
}

describe("psql input with meta-commands locked", () => {
  it("starts with the loader's key, blanks the dump's own \\restrict and its \\unrestrict, and keeps every line number", async () => {
    const lines = (await rewrite(DUMP)).split("\n");
    const expected = DUMP.split("\n");
    expected[4] = "";
    expected[expected.lastIndexOf("\\unrestrict DumpKey1")] = "";
    expect(lines).toEqual([`\\restrict ${KEY}`, ...expected]);
  });

  it("leaves a \\restrict line inside COPY data as it is", async () => {
    const out = (await rewrite(DUMP)).split("\n");
    const copy = out.indexOf("COPY public.notes (body) FROM stdin;");
    expect(out.slice(copy + 1, copy + 5)).toEqual(["\\restrict DumpKey1", "\\restrict other", "\\unrestrict other", "\\."]);
  });

  it("gives the same bytes whatever pieces the dump arrives in", async () => {
    const whole = await rewrite(DUMP);
    for (const size of [1, 2, 3, 7, 19, 64]) expect(await rewrite(DUMP, size), `pieces of ${size}`).toBe(whole);
    // The dump's key line last, with no newline after it.
    expect(await rewrite(DUMP.trimEnd(), 5)).toBe(whole.slice(0, -1));
  });

  it("only adds its own line to a dump without \\restrict (pg_dump before 15.14)", async () => {
    const old = `${HEADER}SET x = 1;\n\\! touch /tmp/never\n`;
    expect(await rewrite(old, 4)).toBe(`\\restrict ${KEY}\n${old}`);
  });

  it("refuses what does not begin with pg_dump's header", async () => {
    await expect(rewrite("\\! touch /tmp/x\n" + DUMP)).rejects.toThrow('not a dump ("\\\\! touch /tmp/x\\n--\\n-- PostgreSQL databas"…)');
    await expect(rewrite("--\n")).rejects.toThrow('not a dump ("--\\n")');
    await expect(rewrite("")).rejects.toThrow("not a dump (nothing: it was empty)");
  });

  it("checks a backup's dump by its first bytes only", async () => {
    const check = async (text: string) => {
      let out = "";
      for await (const c of Readable.from([Buffer.from(text.slice(0, 10)), Buffer.from(text.slice(10))]).pipe(requirePgDumpHeader(refuse))) out += c;
      return out;
    };
    expect(await check(DUMP)).toBe(DUMP);
    await expect(check("pg_dump (PostgreSQL) 15.20\n")).rejects.toThrow('not a dump ("pg_dump (PostgreSQL) 15.20\\n")');
  });
});

describe("psql versions that can lock out meta-commands", () => {
  it("accepts 13.22, 14.19, 15.14, 16.10, 17.6, 18 and later, and names the release to install otherwise", () => {
    for (const v of ["13.22", "14.19", "15.14", "15.20 (Debian 15.20-0+deb12u1)", "16.10", "17.6", "18.0", "18beta1", "19.1"]) expect(psqlRestrictProblem(`psql (PostgreSQL) ${v}`), v).toBeNull();
    expect(psqlRestrictProblem("psql (PostgreSQL) 15.8")).toBe("psql 15.8 on the server cannot lock out meta-commands (\\restrict): install psql 15.14 or newer");
    expect(psqlRestrictProblem("psql (PostgreSQL) 17.5 (Ubuntu 17.5-1)")).toContain("install psql 17.6 or newer");
    expect(psqlRestrictProblem("psql (PostgreSQL) 13.21")).toContain("install psql 13.22 or newer");
    expect(psqlRestrictProblem("psql (PostgreSQL) 12.22")).toBe("psql 12.22 on the server cannot lock out meta-commands (\\restrict): install psql 13.22 or newer");
    expect(psqlRestrictProblem("psql (PostgreSQL) 9.6.24")).toContain("psql 9.6 on the server");
    expect(psqlRestrictProblem("bash: psql: command not found")).toMatch(/^Cannot read the psql version/);
  });
});

describe("loading with the real pg_dump and psql", () => {
  let client: Awaited<ReturnType<typeof createClientDatabase>>;
  let server: ServerConnection;
  const marker = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "safehold-restrict-")), "ran");
  const config = () => ({ host: client.host, port: client.port, user: client.user, password: client.password, database: client.database });

  async function freshDatabase(): Promise<string> {
    const name = `${client.database}_load_${randomBytes(3).toString("hex")}`;
    const admin = postgres(adminDatabaseUrl(), { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name} owner ${client.user}`);
    await admin.end();
    return name;
  }

  beforeAll(async () => {
    client = await createClientDatabase();
    server = await (await builtinPluginHost().serverKind("local")).connect({});
    const sql = postgres({ host: client.host, port: client.port, user: client.user, password: client.password, database: client.database, max: 1, onnotice: () => {} });
    // Text values whose COPY lines are `\restrict …` (\r is a carriage return in COPY text) and `\unrestrict …`.
    await sql.unsafe(`create table notes (id int primary key, body text)`);
    await sql.unsafe(`insert into notes values (1, E'\\restrict ${KEY}'), (2, E'\\\\unrestrict x'), (3, 'plain')`);
    await sql.end();
  });

  afterAll(async () => {
    await server?.close();
    await client?.drop();
  });

  it("round-trips a dump whose COPY data holds \\restrict lines", async () => {
    const target = await freshDatabase();
    await loadSqlDump(server, config(), target, streamPgDump(server, config(), new AbortController().signal, { on: "worker", reason: "plain SQL wanted", fallback: false }).stream, new AbortController().signal);
    const sql = postgres({ host: client.host, port: client.port, user: client.user, password: client.password, database: target, max: 1, onnotice: () => {} });
    expect(await sql`select id, body from notes order by id`).toEqual([
      { id: 1, body: `\restrict ${KEY}` },
      { id: 2, body: "\\unrestrict x" },
      { id: 3, body: "plain" },
    ]);
    await sql.end();
  });

  it("refuses a meta-command anywhere in the dump, naming its line, and runs nothing of it", async () => {
    const target = await freshDatabase();
    const dump = `${HEADER}\\restrict Abc\n\nSELECT 1;\n\\! touch ${marker}\n--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict Abc\n`;
    await expect(loadSqlDump(server, config(), target, Readable.from([Buffer.from(dump)]), new AbortController().signal)).rejects.toThrow(
      /^psql refused a meta-command in the database dump \(dump line 8\): pg_dump writes none besides its own \\restrict lines/,
    );
    expect(fs.existsSync(marker)).toBe(false);
    const wrongKey = `${HEADER}SELECT 1;\n\\unrestrict Abc\n\\! touch ${marker}\n--\n-- PostgreSQL database dump complete\n--\n`;
    await expect(loadSqlDump(server, config(), target, Readable.from([Buffer.from(wrongKey)]), new AbortController().signal)).rejects.toThrow("psql refused a meta-command in the database dump (dump line 6)");
    expect(fs.existsSync(marker)).toBe(false);
  });
});
