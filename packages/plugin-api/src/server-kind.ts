/** Server kinds: where environments live (`local`, `ssh`, ...). */
import type { Duplex, Readable } from "node:stream";
import type { CallContext, PluginConfig, TestOptions, TestResult } from "./context.js";

/**
 * A compression program on the server: the format it writes and reads, the program to run (a name, or the path the
 * server's settings give), and the level to compress at (1–9; the program's default when absent). Sources get one
 * from `ManagedServer.compression()`, never build it.
 */
export type ServerCodec = { format: "gzip"; program: string; level?: number };

export type ExecOptions = {
  /** Streamed to the command's standard input; the input is ended when this stream ends. */
  stdin?: Readable;
  /** Extra environment variables. They may hold passwords: never put them on a command line a server could show. */
  env?: Record<string, string>;
  cwd?: string;
  signal?: AbortSignal;
  /**
   * Compress the command's standard output on the server (`command | gzip -c`), so compressed bytes cross the
   * link. The exit status is still the command's own (the compressor's when the command succeeded).
   */
  compressOutput?: ServerCodec;
  /** Decompress the standard input on the server before the command reads it (`gzip -dc | command`). */
  decompressInput?: ServerCodec;
  /** Run gently: `nice -n 10` and `ionice -c3` where the server has them (the client's machine comes first). */
  lowPriority?: boolean;
};

export type ExecExit = { code: number | null; signal: string | null };

export interface ExecHandle {
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Settles when the command has exited and its output streams are closed. Rejects only if it could not be started. */
  readonly exit: Promise<ExecExit>;
  kill(): void;
}

/** An open connection to a server. A source uses only this, so it never cares whether it runs locally or over SSH. */
export interface ServerConnection {
  /** Runs `command` with `args` (no shell). A missing command rejects `exit` with a clear message. */
  exec(command: string, args: string[], options?: ExecOptions): ExecHandle;
  /** A TCP connection to `host:port` as seen from the server (e.g. its PostgreSQL on 127.0.0.1). */
  openTcp(host: string, port: number): Promise<Duplex>;
  /** Streams a file from the server. */
  readFile(path: string): Promise<Readable>;
  /** Writes a stream to a file on the server, creating parent directories; resolves when it is complete. */
  writeFile(path: string, content: Readable): Promise<void>;
  close(): Promise<void>;
  /**
   * Whether `codec` can run on the server and compressing there sends fewer bytes than compressing on the
   * console: a one-line reason when not (the program is missing; a local server has no link to spare). Optional:
   * without it the host answers that it cannot, so the console compresses.
   */
  canCompress?(codec: ServerCodec, options: { signal?: AbortSignal }): Promise<CompressionAnswer>;
}

/** `sameHost`: the server is the console's own host, so the console compressing is the normal case, not a fallback. */
export type CompressionAnswer = { ok: true } | { ok: false; reason: string; sameHost?: boolean };

/**
 * Where a source's output is compressed: on the server with `codec`, or by the console, with why; `fallback` when
 * the server could have saved the link's bytes but its settings or tools did not allow it (worth a line in the log).
 */
export type CompressionPlan = { on: "server"; codec: ServerCodec } | { on: "worker"; reason: string; fallback: boolean };

/**
 * A server connection as sources receive it: the kind's connection under the rules an admin set for the server.
 * Commands run by name are mapped to the programs the admin chose; folders and databases are checked against
 * the server's allowed folders and database pattern. Sources check every folder they read, replace or remove
 * and every database they touch, including those they derive from their settings.
 */
export interface ManagedServer extends ServerConnection {
  /**
   * Resolves `path` on the server (symbolic links followed, `realpath -m`) and checks that it lies inside one of
   * the server's allowed folders; resolves with the resolved path. `replace`: the folder may be moved aside or
   * removed, so it must be strictly inside an allowed folder and not a mount point. Rejects with a message an
   * operator can act on.
   */
  resolveFolder(path: string, use: "read" | "replace"): Promise<string>;
  /** Throws a message an operator can act on when the server's database pattern does not allow `database`. */
  checkDatabase(database: string): void;
  /**
   * Where this server's output should be compressed, under its settings (an admin may keep the work off the
   * client's machine) and what it has installed. Sources pass `codec` as `compressOutput` / `decompressInput`.
   */
  compression(options?: { signal?: AbortSignal }): Promise<CompressionPlan>;
}

/** What a server kind's `testConnection` receives. */
export type ServerKindContext = CallContext & { config: PluginConfig };

export interface ServerKindContribution {
  /** Opens a connection; the console closes it. Missing optional methods are filled in by the host (`close`: a no-op). */
  connect(config: PluginConfig): Promise<ServerConnection>;
  testConnection(context: ServerKindContext, options: TestOptions): Promise<TestResult>;
}
