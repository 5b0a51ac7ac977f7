import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { createLogger, type CallContext, type LogLevel, type TestOptions } from "@safehold/plugin-api";

/** A call context whose log lines are kept in `lines` (for assertions), with a test's options. */
export function testContext(): CallContext & { lines: Array<{ level: LogLevel; message: string }> } {
  const lines: Array<{ level: LogLevel; message: string }> = [];
  return { lines, log: createLogger((level, message) => lines.push({ level, message })) };
}

/** testConnection's options, aborted after `timeoutMs`. */
export function testOptions(timeoutMs = 60_000): TestOptions {
  return { signal: AbortSignal.timeout(timeoutMs) };
}

export async function text(stream: Readable): Promise<string> {
  let out = "";
  for await (const chunk of stream) out += (chunk as Buffer).toString("utf8");
  return out;
}

export async function hashOf(stream: Readable): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), size };
}
