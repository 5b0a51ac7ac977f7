import { pipeline } from "node:stream";
import type { CompressionPlan, ServerConnection, SourceStreamArtifact } from "@safehold/plugin-api";
import { checkGzipStart, completedOutput } from "@safehold/plugin-helpers";
import type { PostgresConfig } from "./config";
import { requirePgDumpHeader } from "./dump-header";
import { lastErrorLine, toolFailure } from "./tool-output";

/**
 * `pg_dump --no-owner` in plain SQL (what Odoo's own database manager produces), run on the environment's
 * server and streamed back: gzip-compressed on the server (at low priority) when `compression` says so, so fewer
 * bytes cross the link. The password travels in the environment, never on the command line. Whatever does not
 * begin as a pg_dump dump fails the backup: a program that only claims to be pg_dump stores nothing.
 */
export function streamPgDump(server: ServerConnection, config: PostgresConfig, signal: AbortSignal, compression: CompressionPlan): Omit<SourceStreamArtifact, "kind"> {
  const codec = compression.on === "server" ? compression.codec : undefined;
  const handle = server.exec(
    "pg_dump",
    ["--format=plain", "--no-owner", "--no-password", "--host", config.host, "--port", String(config.port), "--username", config.user],
    // The database goes in PGDATABASE: a --dbname value containing "=" or a URI would be read as a connection string.
    {
      // Messages in English: a lost connection is recognised by its words (see toolFailure).
      env: { PGPASSWORD: config.password, PGDATABASE: config.database, PGCONNECT_TIMEOUT: "10", PGAPPNAME: "safehold-backup", LC_MESSAGES: "C" },
      signal,
      ...(codec ? { compressOutput: codec, lowPriority: true } : {}),
    },
  );
  const output = completedOutput(handle, ({ code, signal: killedBy, stderr }) =>
    killedBy ? `pg_dump was stopped by signal ${killedBy} before the dump was complete` : toolFailure(`pg_dump failed (exit code ${code}): ${lastErrorLine(stderr, "pg_dump")}`, stderr),
  );
  const header = requirePgDumpHeader((start) => `pg_dump on the server did not produce a plain-SQL dump (it began with ${start})`);
  // Either side failing destroys the other (ending the dump kills pg_dump); the error surfaces on the returned stream.
  if (codec) return { stream: pipeline(output, checkGzipStart(header), () => {}), encoding: "gzip" };
  return { stream: pipeline(output, header, () => {}) };
}
