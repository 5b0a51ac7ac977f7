import { Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { backupGunzip } from "./gunzip";

/**
 * A pass-through for gzip bytes that shows their decompressed content to `sink` (a proof counter) on the side:
 * an artifact compressed on the server is stored as it came, and is still counted. Each chunk moves on once the
 * side branch took it, so the slower of the two sets the pace and nothing piles up.
 */
export function gunzippedTap(sink: Transform): Transform {
  const gunzip = backupGunzip();
  const side = pipeline(gunzip, sink, new Writable({ write: (_chunk, _encoding, done) => done() }));
  const tap: Transform = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (gunzip.write(chunk)) done(null, chunk);
      else gunzip.once("drain", () => done(null, chunk));
    },
    flush(done) {
      gunzip.end();
      side.then(() => done(), done);
    },
    destroy(err, done) {
      gunzip.destroy();
      done(err);
    },
  });
  side.catch((err: Error) => tap.destroy(new Error(`The compressed output from the server is damaged: ${err.message}`)));
  return tap;
}
