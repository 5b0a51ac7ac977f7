import { PassThrough, type Readable } from "node:stream";
import type { ExecHandle } from "@safehold/plugin-api";

const STDERR_LIMIT = 64 * 1024;

/**
 * A command's stdout that ends only once the command has exited successfully. A command that fails, or is
 * killed, makes the stream error with `describe(...)` instead, so a truncated output never looks complete.
 * Destroying the stream kills the command.
 */
export function completedOutput(handle: ExecHandle, describe: (exit: { code: number | null; signal: string | null; stderr: string }) => string): Readable {
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
      else out.destroy(new Error(describe({ ...exit, stderr })));
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

/** All a short command's stream says, as text (a `--version` line, say). */
export async function readText(stream: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  for await (const chunk of stream) text += chunk.toString();
  return text;
}
