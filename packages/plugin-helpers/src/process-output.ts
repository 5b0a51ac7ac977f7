import { PassThrough, type Readable } from "node:stream";
import type { ExecExit, ExecHandle } from "@safehold/plugin-api";

const STDERR_LIMIT = 64 * 1024;

/**
 * A command's stdout that ends only once the command has exited successfully. A command that fails, or is
 * killed, makes the stream error with `describe(...)` instead (a message, or an error that also says whether to try
 * again), so a truncated output never looks complete.
 * Destroying the stream kills the command.
 */
export function completedOutput(handle: ExecHandle, describe: (exit: { code: number | null; signal: string | null; stderr: string }) => string | Error): Readable {
  const out = new PassThrough();
  let stderr = "";
  let settled = false;
  handle.stderr.on("data", (chunk: Buffer) => {
    if (stderr.length < STDERR_LIMIT) stderr += chunk.toString("utf8");
  });
  handle.stdout.pipe(out, { end: false });
  const stdoutDone = new Promise<void>((resolve) => {
    handle.stdout.once("end", resolve);
    handle.stdout.once("close", resolve);
  });
  Promise.all([handle.exit, stdoutDone]).then(
    ([exit]) => {
      settled = true;
      if (exit.code === 0) out.end();
      else {
        const failure = describe({ ...exit, stderr });
        out.destroy(typeof failure === "string" ? new Error(failure) : failure);
      }
    },
    (err: Error) => {
      settled = true;
      out.destroy(err);
    },
  );
  out.once("close", () => {
    if (!settled) handle.kill();
  });
  return out;
}

/** How much of a fed command's error output is kept for its message: its last lines say what failed. */
const STDERR_TAIL = 16 * 1024;

/**
 * Waits for a command whose standard input is `input` (a dump being loaded): its output is discarded as it comes,
 * the tail of its errors kept. `input` failing (a checksum mismatch, a truncated archive) kills the command, and
 * the result carries that error. Rejects only when the command could not be started.
 */
export async function feedCommand(handle: ExecHandle, input: Readable): Promise<{ exit: ExecExit; stderr: string; inputError?: Error }> {
  let inputError: Error | undefined;
  input.once("error", (err) => {
    inputError = err;
    handle.kill();
  });
  let stderr = "";
  handle.stderr.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-STDERR_TAIL);
  });
  handle.stdout.resume();
  const exit = await handle.exit;
  return { exit, stderr, inputError };
}

/** All a short command's stream says, as text (a `--version` line, say). */
export async function readText(stream: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  for await (const chunk of stream) text += chunk.toString();
  return text;
}
