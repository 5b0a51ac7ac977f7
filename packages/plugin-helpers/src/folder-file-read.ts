import { Readable } from "node:stream";
import { finished } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import type { CompressionPlan, FileSetContent, ServerConnection } from "@safehold/plugin-api";
import { extract as tarExtract } from "tar-stream";
import type { FolderWording } from "./folder-wording";
import { shownName, unsafeRelativePath } from "./relative-path";
import { TarDiagnostics } from "./tar-diagnostics";

/**
 * `tar -c` of exactly the names on stdin, NUL-separated and taken as they are (never options, never unquoted, never
 * a folder's content); hard links stored as files, so every asked file comes with its bytes. Errors name files in
 * C quoting, which `TarDiagnostics` reads back whatever bytes a name holds.
 */
function tarArgs(folder: string): string[] {
  return ["-C", folder, "-c", "-f", "-", "--no-recursion", "--hard-dereference", "--quoting-style=c", "--null", "--verbatim-files-from", "--no-unquote", "-T", "-"];
}

/** An error of the consumer's (it destroyed a file's stream): passed on as it is, not as the server's failure. */
class ConsumerError {
  constructor(readonly error: unknown) {}
}

/** What the server sent and was refused: its message is already the one to give. */
class Refusal extends Error {}

/**
 * The contents of `paths` under `folder`, through one `tar` on the server, in tar's order. Each file's stream
 * is the archive itself (tar-stream's back-pressure): it must be read, or is drained, before the next file comes.
 * A file tar found gone is left out; entries that are no longer regular files (a folder, a link) too; anything
 * else tar reports, an entry that was not asked for, or a broken archive errors the iteration.
 */
export async function* readFolderFiles(
  server: ServerConnection,
  folder: string,
  words: FolderWording,
  compression: CompressionPlan,
  paths: string[],
  signal: AbortSignal,
): AsyncGenerator<FileSetContent> {
  signal.throwIfAborted();
  const asked = new Set(paths);
  for (const path of asked) {
    const unsafe = unsafeRelativePath(path);
    if (unsafe) throw new Error(`Refusing to read ${shownName(path)} from the ${words.folder} ${folder}: ${unsafe}`);
  }
  if (asked.size === 0) return;
  const failed = `Reading files from the ${words.folder} ${folder} failed`;
  const codec = compression.on === "server" ? compression.codec : undefined;
  const names = Readable.from((function* () {
    for (const path of asked) yield Buffer.from(`${path}\0`, "utf8");
  })(), { objectMode: false });
  // LC_ALL=C: tar's messages in English (read by TarDiagnostics) whatever the server's locale.
  const handle = server.exec("tar", tarArgs(folder), { signal, stdin: names, env: { LC_ALL: "C" }, ...(codec ? { compressOutput: codec, lowPriority: true } : {}) });
  handle.exit.catch(() => {});
  const diagnostics = new TarDiagnostics(asked);
  handle.stderr.on("data", (chunk: Buffer) => diagnostics.write(chunk));

  const extract = tarExtract();
  const archive = codec ? handle.stdout.pipe(createGunzip()) : handle.stdout;
  archive.once("error", (err) => extract.destroy(codec ? new Error(`tar's compressed output is not valid gzip (${err.message})`) : err));
  archive.pipe(extract as unknown as NodeJS.WritableStream);
  // The file being read fails with the abort itself, not with the archive cut short by the killed tar.
  const abort = () => extract.destroy(signal.reason as Error);
  signal.addEventListener("abort", abort, { once: true });

  const yielded = new Set<string>();
  let current: Readable | null = null;
  let complete = false;
  let failure: unknown = null;
  try {
    for await (const entry of extract) {
      const { header } = entry;
      const path = header.name.replace(/\/$/, "");
      // A hostile server's tar could send anything: only what was asked, once.
      if (!asked.has(path) || yielded.has(path)) throw new Refusal(`${failed}: tar sent ${shownName(header.name)}, which was not asked for: refusing it`);
      yielded.add(path);
      const content = (current = Readable.from(entry, { objectMode: false }));
      if (header.type === "file" || header.type === "contiguous-file") yield { path, size: header.size ?? 0, stream: content };
      if (!content.readableEnded) {
        content.resume();
        await finished(content).catch((err: unknown) => Promise.reject(new ConsumerError(err)));
      }
    }
    complete = true;
  } catch (err) {
    failure = err;
  } finally {
    signal.removeEventListener("abort", abort);
    if (!complete) {
      // Stopped early (the reader's choice, a refusal, a broken archive): tar has nothing more to do.
      handle.kill();
      // Quietly: a reader that went away listens to the file it was given no more.
      current?.destroy();
      extract.destroy();
      // Drained, not left paused: over SSH a paused output would keep the killed command's channel open.
      handle.stdout.unpipe();
      handle.stdout.resume();
    }
  }
  const exit = await handle.exit;
  diagnostics.end();
  signal.throwIfAborted();
  if (failure instanceof ConsumerError) throw failure.error;
  if (failure instanceof Refusal) throw failure;
  if (failure) throw new Error(`${failed}: ${diagnostics.unexplained ?? `tar's output is not a valid archive (${failure instanceof Error ? failure.message : String(failure)})`}`);
  if (exit.code === 0) return;
  const onlyVanished = exit.code === 2 && !diagnostics.unexplained && diagnostics.vanished.size > 0 && ![...diagnostics.vanished].some((path) => yielded.has(path));
  if (onlyVanished) return;
  throw new Error(`${failed}: ${exit.signal ? `tar was stopped by signal ${exit.signal}` : `${diagnostics.unexplained ?? "no error message"} (tar exit code ${exit.code})`}`);
}
