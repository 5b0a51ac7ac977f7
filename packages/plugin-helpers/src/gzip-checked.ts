import { Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";

/**
 * Passes gzip bytes (a stored file a server decompresses) on unchanged, each chunk once it was decompressed into
 * `checker` (a pass-through that fails when the content is wrong, e.g. a dump's start and end checks). The stream
 * fails when `checker` does, and ends only after `checker` ended: content that fails its checks never ends as complete.
 */
export function gzipChecked(checker: Transform): Transform {
  const gunzip = createGunzip();
  let refused: Error | null = null;
  const side = pipeline(gunzip, checker, new Writable({ write: (_chunk, _encoding, done) => done() })).catch((err: NodeJS.ErrnoException) => {
    refused ??= err.code?.startsWith("Z_") ? new Error(`The stored file is damaged: it is not a complete gzip file (${err.message})`) : err;
    gate.destroy(refused);
  });
  const gate: Transform = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      gunzip.write(chunk, () => (refused ? done(refused) : done(null, chunk)));
    },
    flush(done) {
      gunzip.end();
      void side.then(() => done(refused));
    },
    destroy(err, done) {
      gunzip.destroy();
      done(err);
    },
  });
  return gate;
}
