import type { ServerConnection } from "@safehold/plugin-api";

const STDERR_LIMIT = 8 * 1024;

export type CommandResult = { code: number | null; signal: string | null; stderr: string };

/** Runs a short command on the server to its end (its output discarded, its errors kept). */
export async function runCommand(server: ServerConnection, command: string, args: string[], signal?: AbortSignal): Promise<CommandResult> {
  const handle = server.exec(command, args, { signal });
  let stderr = "";
  handle.stderr.on("data", (chunk: Buffer) => {
    if (stderr.length < STDERR_LIMIT) stderr += chunk.toString("utf8");
  });
  handle.stdout.resume();
  const exit = await handle.exit;
  return { ...exit, stderr: stderr.trim() };
}

/** The last line a command wrote to its error output, or what its exit says. */
export function commandError(command: string, result: CommandResult): string {
  const line = result.stderr.split("\n").pop()?.trim();
  if (line) return line;
  return result.signal ? `${command} was stopped by signal ${result.signal}` : `${command} exited with code ${result.code}`;
}

/** Runs a command that must succeed; rejects with `what` and the command's own error. */
export async function mustRun(server: ServerConnection, what: string, command: string, args: string[], signal?: AbortSignal): Promise<void> {
  const result = await runCommand(server, command, args, signal);
  if (result.code !== 0) throw new Error(`${what} failed: ${commandError(command, result)}`);
}

export async function folderExists(server: ServerConnection, folder: string): Promise<boolean> {
  return (await runCommand(server, "test", ["-d", folder])).code === 0;
}

/** `mv -T`: renames a folder, never moving it into an existing one. */
export function moveFolder(server: ServerConnection, from: string, to: string): Promise<void> {
  return mustRun(server, `Moving folder ${from} to ${to}`, "mv", ["-T", "--", from, to]);
}

export function removeFolder(server: ServerConnection, folder: string): Promise<void> {
  return mustRun(server, `Removing folder ${folder}`, "rm", ["-rf", "--", folder]);
}

/** tar's telling error line, without its closing "Exiting with failure status" line. */
export function tarError(stderr: string): string {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.includes("Exiting with failure status"));
  return (lines.pop() ?? "no error message").replace(/^tar: /, "");
}
