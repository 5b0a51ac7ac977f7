import { pipeline } from "node:stream";
import type { CompressionPlan, ServerConnection, SourceStreamArtifact } from "@safehold/plugin-api";
import { checkGzipStart, completedOutput } from "@safehold/plugin-helpers";
import { checkedName, connectionArgs, clientFailure, passwordEnv, type DumpCheck } from "./client";
import type { MysqlConfig } from "./config";
import { checkDump } from "./dump-format";

type Dump = Extract<DumpCheck, { ok: true }>;

/**
 * What makes a faithful, consistent, plain-SQL dump of one database: one InnoDB snapshot (no table locks), the
 * routines, triggers and events with it, binary columns as hex (no bytes for a client's character set to mangle),
 * utf8mb4 throughout, and no tablespace statements (they need PROCESS and belong to the server, not the database).
 */
export function dumpArgs(dump: Dump, config: MysqlConfig): string[] {
  return [
    ...connectionArgs(config, "dump"),
    "--single-transaction",
    "--skip-lock-tables",
    "--routines",
    "--triggers",
    "--events",
    "--hex-blob",
    "--no-tablespaces",
    // MySQL's own mysqldump would otherwise write GTID statements that a restore as a plain user cannot run.
    ...(dump.mysqlFlavour ? ["--set-gtid-purged=OFF"] : []),
    "--",
    checkedName(config.database),
  ];
}

/**
 * The dump tool run on the environment's server, streamed back (gzip-compressed there, at low priority, when
 * `compression` says so). Whatever does not begin as a MariaDB/MySQL dump fails the backup: a program that only
 * claims to be mariadb-dump stores nothing.
 */
export function streamDump(server: ServerConnection, dump: Dump, config: MysqlConfig, signal: AbortSignal, compression: CompressionPlan): Omit<SourceStreamArtifact, "kind"> {
  const codec = compression.on === "server" ? compression.codec : undefined;
  const handle = server.exec(dump.program, dumpArgs(dump, config), { env: passwordEnv(config), signal, ...(codec ? { compressOutput: codec, lowPriority: true } : {}) });
  const output = completedOutput(handle, ({ code, signal: killedBy, stderr }) =>
    killedBy
      ? `${dump.program} was stopped by signal ${killedBy} before the dump was complete`
      : clientFailure(stderr, config, null, `${dump.program} failed (exit code ${code})`),
  );
  const header = checkDump((start) => `${dump.program} on the server did not produce a plain-SQL dump (it began with ${start})`, { requireEnd: false });
  if (codec) return { stream: pipeline(output, checkGzipStart(header), () => {}), encoding: "gzip" };
  return { stream: pipeline(output, header, () => {}) };
}
