import { Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";

/**
 * Checks the start of a gzip stream (a dump compressed on the server) with `checker`, a pass-through that fails
 * unless its content begins as expected (e.g. pg_dump's header): the first chunks are held and decompressed on
 * the side until `checker` lets content through, then everything passes as it is and nothing more is decompressed.
 */
export function checkGzipStart(checker: Transform): Transform {
  const gunzip = createGunzip();
  let held: Buffer[] = [];
  let accepted = false;
  const accept = () => {
    if (accepted) return;
    accepted = true;
    for (const chunk of held) out.push(chunk);
    held = [];
    gunzip.destroy();
  };
  const side = pipeline(gunzip, checker, new Writable({ write: (_chunk, _encoding, done) => (accept(), done()) }));
  const out: Transform = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (accepted) return done(null, chunk);
      held.push(chunk);
      gunzip.write(chunk, () => done());
    },
    flush(done) {
      if (accepted) return done();
      gunzip.end();
      side.then(() => (accept(), done()), done);
    },
    destroy(err, done) {
      gunzip.destroy();
      done(err);
    },
  });
  side.catch((err: NodeJS.ErrnoException) => {
    if (accepted) return;
    out.destroy(err.code?.startsWith("Z_") ? new Error(`The compressed output from the server is not valid gzip (${err.message})`) : err);
  });
  return out;
}
