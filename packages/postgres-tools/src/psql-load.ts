import { randomBytes } from "node:crypto";
import { pipeline, Transform, type Readable } from "node:stream";
import type { ServerCodec, ServerConnection } from "@safehold/plugin-api";
import { feedCommand } from "@safehold/plugin-helpers";
import type { PostgresConfig } from "./config";
import { gzipPsqlInput } from "./gzip-psql-input";
import { restrictDump } from "./restricted-dump";

const TAIL_BYTES = 4096;
/** pg_dump's last lines; newer versions add a `\unrestrict <key>` line after them. */
const DUMP_COMPLETE = /-- PostgreSQL database dump complete\s*(?:--\s*|\\unrestrict \S+\s*)*$/;

/**
 * Passes a plain SQL dump through and fails at its end unless pg_dump's closing line is there: a dump cut
 * short between two statements would otherwise load "successfully".
 */
function requireCompleteDump(): Transform {
  let tail: Buffer = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      tail = chunk.length >= TAIL_BYTES ? chunk.subarray(chunk.length - TAIL_BYTES) : Buffer.concat([tail, chunk]).subarray(-TAIL_BYTES);
      done(null, chunk);
    },
    flush(done) {
      done(DUMP_COMPLETE.test(tail.toString("utf8")) ? null : new Error("The database dump is incomplete: it does not end with pg_dump's \"dump complete\" line"));
    },
  });
}

/** psql's refusals in restricted mode: a meta-command, or `\unrestrict` with a key other than the loader's. */
const REFUSED_META_COMMAND = /backslash commands are restricted|\\unrestrict: wrong key/;

/**
 * Why psql failed, from its error output, e.g. "psql:<stdin>:12: ERROR:  syntax error at …" as "ERROR: syntax
 * error at … (dump line 11)": psql counts the loader's own `\restrict` line first.
 */
function psqlError(stderr: string): string {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const line = lines.filter((l) => /\b(ERROR|FATAL|error):/.test(l)).pop() ?? lines.pop() ?? "no error message";
  const located = /^psql:<stdin>:(\d+): (.*)$/.exec(line);
  const where = located ? ` (dump line ${Number(located[1]) - 1})` : "";
  if (REFUSED_META_COMMAND.test(line)) {
    return `psql refused a meta-command in the database dump${where}: pg_dump writes none besides its own \\restrict lines, so the dump was not loaded (a hostile client database may have put it there)`;
  }
  return `psql failed loading the database: ${(located ? `${located[2]}${where}` : line.replace(/^psql: (error: )?/, "")).replace(/\s+/g, " ")}`;
}

/**
 * Loads a plain SQL dump into `database` with psql on the environment's server, streaming, with psql's
 * meta-commands locked by a random key (see restrictDump): whatever a dump holds, psql only runs its SQL. psql's
 * output is discarded as it comes, its errors kept for the message. The content failing (a checksum mismatch, a
 * truncated archive) stops psql and rejects with the content's own message. With `codec`, `content` is the
 * stored gzip file and the server decompresses it (see gzipPsqlInput), so compressed bytes cross the link.
 */
export async function loadSqlDump(server: ServerConnection, config: PostgresConfig, database: string, content: Readable, signal: AbortSignal, codec?: ServerCodec): Promise<void> {
  const key = randomBytes(16).toString("hex");
  const refuse = (start: string) => `The database dump is not a pg_dump plain-SQL dump (it begins with ${start})`;
  // Any stage failing destroys the others with its error, which reaches `input`, psql's standard input.
  const input = codec ? gzipPsqlInput(content, key, refuse) : pipeline(content, requireCompleteDump(), restrictDump(key, refuse), () => {});
  const handle = server.exec("psql", ["--no-psqlrc", "--quiet", "--no-password", "-v", "ON_ERROR_STOP=1", "--file=-", "--host", config.host, "--port", String(config.port), "--username", config.user], {
    stdin: input,
    // --file=- (rather than plain stdin) makes psql name the failing line. The database goes in PGDATABASE:
    // a --dbname value containing "=" would be read as a connection string.
    env: { PGPASSWORD: config.password, PGDATABASE: database, PGCONNECT_TIMEOUT: "10", PGAPPNAME: "safehold-restore" },
    signal,
    ...(codec ? { decompressInput: codec, lowPriority: true } : {}),
  });
  try {
    const { exit, stderr, inputError } = await feedCommand(handle, input);
    if (inputError) throw inputError;
    if (exit.signal) throw new Error(`psql was stopped by signal ${exit.signal} before the database was loaded`);
    if (exit.code !== 0) throw new Error(psqlError(stderr));
    if (!input.writableFinished) throw new Error("psql stopped before the end of the database dump");
  } catch (err) {
    // Whatever is left of the content is not needed any more; release it (and its source) now.
    content.destroy();
    input.destroy();
    throw err;
  }
}
