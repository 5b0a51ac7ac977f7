/** Server kinds: where environments live (`local`, `ssh`, ...). */
import type { Duplex, Readable } from "node:stream";
import type { CallContext, PluginConfig, TestOptions, TestResult } from "./context.js";

export type ExecOptions = {
  /** Streamed to the command's standard input; the input is ended when this stream ends. */
  stdin?: Readable;
  /** Extra environment variables. They may hold passwords: never put them on a command line a server could show. */
  env?: Record<string, string>;
  cwd?: string;
  signal?: AbortSignal;
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
}

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
}

/** What a server kind's `testConnection` receives. */
export type ServerKindContext = CallContext & { config: PluginConfig };

export interface ServerKindContribution {
  /** Opens a connection; the console closes it. Missing optional methods are filled in by the host (`close`: a no-op). */
  connect(config: PluginConfig): Promise<ServerConnection>;
  testConnection(context: ServerKindContext, options: TestOptions): Promise<TestResult>;
}
