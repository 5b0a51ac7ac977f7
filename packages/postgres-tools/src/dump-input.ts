import { spawn } from "node:child_process";
import { PassThrough, pipeline, type Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import type { SourceBackup } from "@safehold/plugin-api";
import { describeStart, requirePgDumpHeader } from "./dump-header";
import { lastErrorLine } from "./tool-output";

/** What an imported dump file is, told by its first bytes (never by its name, which the uploader chose). */
export type DumpFileKind = "zip" | "gzip" | "custom" | "plain";

/** How many leading bytes `sniffDumpKind` needs. */
export const SNIFF_BYTES = 5;

const ZIP_MAGIC = Buffer.from("PK\x03\x04", "latin1");
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
const CUSTOM_MAGIC = Buffer.from("PGDMP", "latin1");

export function sniffDumpKind(start: Buffer): DumpFileKind {
  if (start.subarray(0, 4).equals(ZIP_MAGIC)) return "zip";
  if (start.subarray(0, 2).equals(GZIP_MAGIC)) return "gzip";
  if (start.subarray(0, 5).equals(CUSTOM_MAGIC)) return "custom";
  return "plain";
}

/**
 * Waits for the first `SNIFF_BYTES` of `input` and hands back their kind with a stream that still starts with
 * them: only those bytes are held.
 */
export function sniffStream(input: Readable): Promise<{ kind: DumpFileKind; stream: Readable; start: Buffer }> {
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      if (head.length >= SNIFF_BYTES) finish();
    };
    const finish = () => {
      input.off("data", onData);
      input.off("end", finish);
      input.off("error", reject);
      input.pause();
      const stream = new PassThrough();
      stream.write(head);
      pipeline(input, stream, () => {});
      resolve({ kind: sniffDumpKind(head), stream, start: head });
    };
    input.on("data", onData);
    input.once("end", finish);
    input.once("error", reject);
  });
}

const NOT_A_DUMP = (start: string) => `The file is not a pg_dump dump: a plain-SQL dump begins with pg_dump's header comment, this one began with ${start}`;

/**
 * pg_restore, run here (the console's worker), turning a custom-format dump read from `input` into plain SQL as
 * it streams. It reads its archive in order, so a pipe will do.
 */
function customToPlain(input: Readable, signal: AbortSignal): Readable {
  const child = spawn("pg_restore", ["--no-owner", "--file=-"], { stdio: ["pipe", "pipe", "pipe"], signal });
  const out = new PassThrough();
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    if (stderr.length < 16 * 1024) stderr += chunk.toString("utf8");
  });
  child.on("error", (err) => out.destroy(new Error(`pg_restore could not run on the console: ${err.message}`)));
  pipeline(input, child.stdin, (err) => {
    if (err) {
      out.destroy(err);
      child.kill();
    }
  });
  child.stdout.pipe(out, { end: false });
  const stdoutDone = new Promise<void>((resolve) => child.stdout.once("close", resolve));
  child.once("close", (code, killedBy) => {
    void stdoutDone.then(() => {
      if (code === 0) out.end();
      else if (!out.destroyed) out.destroy(new Error(killedBy ? `pg_restore was stopped (${killedBy}) before the dump was converted` : `The custom-format dump could not be read: ${lastErrorLine(stderr, "pg_restore")}`));
    });
  });
  out.once("close", () => {
    if (child.exitCode === null) child.kill();
  });
  return out;
}

/**
 * The plain SQL of an imported dump file: plain SQL as it is, `.sql.gz` decompressed, a custom-format `.dump`
 * converted by pg_restore; whichever, it must then begin as pg_dump's output does, or the stream errors with a
 * one-line message. Zips are not dumps: the caller opens them.
 */
export async function plainSqlFrom(input: Readable, signal: AbortSignal): Promise<Readable> {
  const { kind, stream } = await sniffStream(input);
  const check = () => requirePgDumpHeader(NOT_A_DUMP);
  if (kind === "zip") throw new Error("The file is a zip, not a database dump");
  if (kind === "custom") return pipeline(customToPlain(stream, signal), check(), () => {});
  if (kind === "plain") return pipeline(stream, check(), () => {});
  // A gzip that holds a custom-format dump is converted too: pg_dump -Fc | gzip is common.
  const inner = await sniffStream(gunzipped(stream));
  if (inner.kind === "custom") return pipeline(customToPlain(inner.stream, signal), check(), () => {});
  if (inner.kind !== "plain") throw new Error(`The .gz file does not hold a database dump (it began with ${describeStart(inner.start)})`);
  return pipeline(inner.stream, check(), () => {});
}

/** `input` decompressed; a damaged or cut gzip fails with a one-line message instead of zlib's. */
function gunzipped(input: Readable): Readable {
  const out = new PassThrough();
  const gunzip = createGunzip();
  input.once("error", (err) => out.destroy(err));
  gunzip.once("error", () => out.destroy(new Error("The .gz file is damaged or truncated")));
  out.once("close", () => {
    input.destroy();
    gunzip.destroy();
  });
  input.pipe(gunzip).pipe(out);
  return out;
}

/**
 * A backup made of one imported dump file (a database source's `importArchive`): plain, gzipped or custom-format,
 * refused unless it is pg_dump's output. A dump holds no files, so there is only the database artifact.
 */
export async function importDumpFile(input: Readable, fileName: string, signal: AbortSignal): Promise<SourceBackup> {
  const { kind, stream } = await sniffStream(input);
  if (kind === "zip") throw new Error("The file is a zip, not a database dump: import a .sql, .sql.gz or .dump file from pg_dump");
  const sql = await plainSqlFrom(stream, signal);
  return {
    metadata: { imported: { fileName, format: kind } },
    artifacts: (async function* () {
      yield { kind: "database" as const, stream: sql };
    })(),
  };
}
