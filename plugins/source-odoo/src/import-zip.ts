import { PassThrough, Transform, Writable, pipeline, type Readable } from "node:stream";
import { pipeline as pipe } from "node:stream/promises";
import type { ApplicationInfo, SourceArtifact } from "@safehold/plugin-api";
import { requirePgDumpHeader } from "@safehold/postgres-tools";
import { pack as tarPack, type Pack } from "tar-stream";
import { Parse, type Entry } from "unzip-stream";
import { ArtifactQueue } from "./import-queue";
import { InflateGuard, MAX_UNSIZED_FILE, ZipProblem, shownName, unsafeFilestorePath, unsafeName } from "./import-limits";
import { MANIFEST_LIMIT, parseOdooManifest } from "./import-manifest";
import type { OdooManifest } from "./odoo-manifest";

const FILESTORE_PREFIX = "filestore/";
/** The end-of-central-directory record closes every complete zip, within its last 64 KiB + 22 bytes. */
const EOCD = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
const TAIL = 65_536 + 22;

export type OdooZip = {
  artifacts: AsyncIterable<SourceArtifact>;
  /** What manifest.json said, once the artifacts have all been read (null without one). */
  manifest(): { metadata: OdooManifest; application: ApplicationInfo } | null;
};

/**
 * Passes the zip through keeping its last bytes (bounded), and errors at its end unless they hold the zip's closing
 * directory: a cut zip is refused before the zip reader (which would wait forever for the rest) sees its end.
 */
function requireZipEnd(): Transform {
  let tail = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      tail = Buffer.concat([tail, chunk]);
      if (tail.length > TAIL * 2) tail = tail.subarray(tail.length - TAIL);
      done(null, chunk);
    },
    flush(done) {
      const at = tail.lastIndexOf(EOCD);
      done(at === -1 || at < tail.length - TAIL ? new ZipProblem("The file is a truncated zip: it ends before the zip's closing directory") : null);
    },
  });
}

async function readBounded(entry: Readable, guard: InflateGuard, limit: number, tooLarge: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  await pipe(
    entry,
    guard.output(),
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (size > limit) return done(new ZipProblem(tooLarge));
        chunks.push(chunk);
        done();
      },
    }),
  );
  return Buffer.concat(chunks);
}

/**
 * Reads an Odoo zip (Odoo's database manager, Odoo.sh, Odoo Online, another host) as it arrives, the way Odoo's
 * `restore_db` reads one: `dump.sql` is the database and `filestore/…` the files, which become a tar as their
 * entries pass; `manifest.json`, when present, must be Odoo's. Entries may come in any order, as long as the
 * filestore's are not split by `dump.sql`. Nothing but a manifest (bounded) and small files whose size the zip
 * states only after them is held in memory.
 */
export function readOdooZip(input: Readable, signal: AbortSignal): OdooZip {
  const queue = new ArtifactQueue();
  const guard = new InflateGuard();
  // Names without the zip's UTF-8 flag are read byte for byte (not through CP437's glyphs), so control bytes stay visible to the checks.
  const parser = Parse({ decodeString: (bytes) => bytes.toString("latin1") });
  let manifest: ReturnType<OdooZip["manifest"]> = null;
  let filestore: Pack | null = null;
  let filestoreClosed = false;
  let database: "none" | "reading" | "done" = "none";

  const closeFilestore = () => {
    if (filestore && !filestoreClosed) filestore.finalize();
    filestoreClosed = filestore !== null;
  };

  const onDump = async (entry: Entry) => {
    if (database !== "none") throw new ZipProblem("The zip holds more than one dump.sql");
    closeFilestore();
    database = "reading";
    const sql = new PassThrough();
    const checked = pipeline(sql, requirePgDumpHeader((start) => `The zip's dump.sql is not a pg_dump dump: it began with ${start}`), () => {});
    queue.push({ kind: "database", stream: checked });
    await pipe(entry, guard.output(), sql);
    database = "done";
  };

  const onFile = async (entry: Entry, path: string) => {
    const unsafe = unsafeFilestorePath(path);
    if (unsafe) throw new ZipProblem(`The zip's filestore holds an unsafe entry ${shownName(entry.path)} (${unsafe}): refusing the file`);
    if (filestoreClosed) throw new ZipProblem("The zip's filestore entries are split by dump.sql: it cannot be read as it arrives; zip the filestore before or after dump.sql");
    if (!filestore) {
      filestore = tarPack();
      const tar = new PassThrough();
      // tar-stream's streams are streamx ones: a Node stream carries the tar to the console.
      filestore.on("error", (err: Error) => tar.destroy(err));
      filestore.pipe(tar as never);
      queue.push({ kind: "filestore", stream: tar });
    }
    if (entry.isDirectory) {
      entry.autodrain();
      return;
    }
    if (entry.size !== undefined) {
      const sink = filestore.entry({ name: path, size: entry.size, mode: 0o644 });
      await new Promise<void>((resolve, reject) => {
        sink.once("error", reject);
        sink.once("finish", resolve);
        pipeline(entry, guard.output(), (err) => err && reject(err)).pipe(sink as never);
      });
      return;
    }
    const content = await readBounded(entry, guard, MAX_UNSIZED_FILE, `The zip's filestore file ${shownName(path)} is larger than 64 MiB and the zip gives its size only after its data: re-create the zip with sizes in its headers (zip, Python's zipfile)`);
    await new Promise<void>((resolve, reject) => filestore!.entry({ name: path, mode: 0o644 }, content, (err) => (err ? reject(err) : resolve())));
  };

  const onEntry = async (entry: Entry) => {
    const unsafe = unsafeName(entry.path);
    if (unsafe) throw new ZipProblem(`The zip holds an entry with ${unsafe}: refusing the file`);
    if (entry.path === "dump.sql") return await onDump(entry);
    if (entry.path === "manifest.json") {
      if (manifest) throw new ZipProblem("The zip holds more than one manifest.json");
      manifest = parseOdooManifest(await readBounded(entry, guard, MANIFEST_LIMIT, "The zip's manifest.json is larger than 1 MiB: it is not an Odoo manifest"));
      return;
    }
    if (entry.path.startsWith(FILESTORE_PREFIX) && entry.path.length > FILESTORE_PREFIX.length) return await onFile(entry, entry.path.slice(FILESTORE_PREFIX.length));
    // Odoo restores only dump.sql and filestore/; whatever else a zip holds is read past, still within the limits.
    await pipe(entry, guard.output(), new Writable({ write: (_chunk, _encoding, done) => done() }));
  };

  let inputError: Error | null = null;
  input.once("error", (err) => (inputError = err));
  // Entries are handled one after the other: the reader parses the next one only once this one is consumed.
  const readEntries = () =>
    new Promise<void>((resolve, reject) => {
      let chain = Promise.resolve();
      parser.on("entry", (entry: Entry) => {
        chain = chain.then(() => onEntry(entry)).catch((err: Error) => {
          entry.autodrain();
          reject(err);
        });
      });
      parser.once("error", reject);
      parser.once("finish", () => void chain.then(resolve, reject));
      pipeline(input, guard.input(), requireZipEnd(), parser, (err) => err && reject(err));
    });
  const drive = async () => {
    try {
      await readEntries();
    } catch (err) {
      // The upload's or download's own failure says what happened; any other is the zip reader finding it broken.
      if (inputError) throw inputError;
      if (err instanceof ZipProblem || signal.aborted) throw err;
      throw new ZipProblem(`The file is a broken or truncated zip (${(err as Error).message})`);
    }
    if (database === "none") throw new ZipProblem("The zip has no dump.sql: it is not an Odoo backup (Odoo's database manager stores the database as dump.sql)");
    closeFilestore();
    queue.end();
  };

  const abort = () => input.destroy(new Error("The import was stopped"));
  signal.addEventListener("abort", abort, { once: true });
  drive().then(
    () => signal.removeEventListener("abort", abort),
    (err: Error) => {
      signal.removeEventListener("abort", abort);
      (filestore as Pack | null)?.destroy(err);
      parser.destroy();
      input.destroy();
      queue.fail(err);
    },
  );
  return { artifacts: queue, manifest: () => manifest };
}
