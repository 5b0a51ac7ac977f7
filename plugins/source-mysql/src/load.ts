import { pipeline, type Readable } from "node:stream";
import type { ServerCodec, ServerConnection } from "@safehold/plugin-api";
import { feedCommand, gzipChecked } from "@safehold/plugin-helpers";
import { checkedName, connectionArgs, clientFailure, passwordEnv, type ClientTool } from "./client";
import type { MysqlConfig } from "./config";
import { checkDump } from "./dump-format";


/**
 * Arguments of the client when it runs SQL that came from a dump. `--binary-mode` turns off every client
 * command but `delimiter` and `charset`: a line such as `system rm -rf …` or `\! …` in a dump (a hostile client
 * database's object names can put one there) is never run by the client on the server, only sent to MySQL as SQL.
 */
export function dumpClientArgs(config: MysqlConfig, database: string): string[] {
  return [...connectionArgs(config), "--binary-mode", "--batch", `--database=${checkedName(database)}`];
}

/**
 * Feeds `content` (SQL) to the client on the server, streaming: nothing of it is held beyond a pipe's buffer.
 * The content failing (a checksum mismatch, a truncated archive) stops the client and rejects with the content's
 * own message; the client failing rejects with `what` and the client's error. With `codec`, `content` is gzip that
 * the server decompresses.
 */
export async function runSqlStream(server: ServerConnection, client: ClientTool, config: MysqlConfig, database: string, content: Readable, what: string, signal?: AbortSignal, codec?: ServerCodec): Promise<void> {
  const handle = server.exec(client, dumpClientArgs(config, database), { stdin: content, env: passwordEnv(config), signal, ...(codec ? { decompressInput: codec, lowPriority: true } : {}) });
  try {
    const { exit, stderr, inputError } = await feedCommand(handle, content);
    if (inputError) throw inputError;
    if (exit.signal) throw new Error(`${client} was stopped by signal ${exit.signal} before ${what} was done`);
    if (exit.code !== 0) throw clientFailure(stderr, config, database, `${what} failed`);
    if (!content.readableEnded) throw new Error(`${client} stopped before the end of its input (${what})`);
  } catch (err) {
    content.destroy();
    throw err;
  }
}

/**
 * Loads a mariadb-dump/mysqldump plain-SQL dump into `database`; it must begin and end as such a dump does. With
 * `codec`, `content` is the stored gzip file: the server decompresses it, and it is checked here as it passes.
 */
export async function loadDump(server: ServerConnection, client: ClientTool, config: MysqlConfig, database: string, content: Readable, signal: AbortSignal, codec?: ServerCodec): Promise<void> {
  const refuse = (start: string) => `The database dump is not a MariaDB/MySQL plain-SQL dump (it begins with ${start})`;
  const check = checkDump(refuse, { requireEnd: true });
  // Any stage failing destroys the others with its error, which reaches `input`, the client's standard input.
  const input = pipeline(content, codec ? gzipChecked(check) : check, () => {});
  try {
    await runSqlStream(server, client, config, database, input, `Loading the database dump into "${database}"`, signal, codec);
  } catch (err) {
    content.destroy();
    throw err;
  }
}
