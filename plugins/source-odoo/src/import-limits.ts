import { Transform } from "node:stream";

/** Past this much unpacked data, a zip must not unpack to more than `MAX_RATIO` times what was read of it. */
const RATIO_GRACE = 64 * 1024 * 1024;
/** SQL dumps deflate 5 to 20 times, 50 at most; zip bombs a thousand times and more. */
export const MAX_RATIO = 200;
/** The longest entry name accepted (Odoo's filestore names are about 45 characters). */
export const MAX_NAME = 1024;
/** Filestore files whose size the zip states only after their data are held in memory until then, up to this. */
export const MAX_UNSIZED_FILE = 64 * 1024 * 1024;

/** What is wrong with the zip itself, said in a line. */
export class ZipProblem extends Error {}

/** Counts what is read of a zip and what it unpacks to, and stops a zip bomb while it unpacks. */
export class InflateGuard {
  compressed = 0;
  inflated = 0;

  /** Counts the zip's own bytes as they pass. */
  input(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        this.compressed += chunk.length;
        done(null, chunk);
      },
    });
  }

  /** Counts an entry's unpacked bytes; errors once they are out of proportion with the zip read so far. */
  output(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        this.inflated += chunk.length;
        if (this.inflated > RATIO_GRACE && this.inflated > this.compressed * MAX_RATIO) {
          return done(new ZipProblem(`The zip unpacks to more than ${MAX_RATIO} times its size: refusing it as a zip bomb`));
        }
        done(null, chunk);
      },
    });
  }
}

/** Why an entry name is refused, or null when it is acceptable. */
export function unsafeName(name: string): string | null {
  if (name.length > MAX_NAME) return `a name longer than ${MAX_NAME} characters`;
  if (/[\u0000-\u001f\u007f]/.test(name)) return "a name with control characters";
  return null;
}

/** Why a filestore path is refused (it must stay inside the filestore), or null when it is safe. */
export function unsafeFilestorePath(path: string): string | null {
  if (path.startsWith("/")) return "an absolute path";
  if (path.includes("\\")) return "a backslash in its path";
  // The zip reader already turned ".." into "."; neither has a place in a filestore path.
  if (path.split("/").some((part) => part === "." || part === "..")) return 'a path that leaves the folder through ".."';
  return null;
}

/** A name as a one-line message shows it. */
export function shownName(name: string): string {
  return JSON.stringify(name.length > 120 ? `${name.slice(0, 120)}…` : name);
}
