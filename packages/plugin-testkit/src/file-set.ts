import { createHash, randomBytes } from "node:crypto";
import path from "node:path";
import { Readable } from "node:stream";
import type { ExecOptions, FileSet, FileSetContent, FileSetEntry, ServerConnection } from "@safehold/plugin-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { text } from "./helpers.js";

export type FileSetContractOptions = {
  /** Opens the connection the file sets read through (called once, in beforeAll; closed in afterAll). */
  connect: () => ServerConnection | Promise<ServerConnection>;
  /** A fresh, empty folder on the server that the connection's user may write. */
  folder: (name: string) => string | Promise<string>;
  /** The file set under test for `folder`. */
  fileSet: (server: ServerConnection, folder: string) => FileSet;
};

/** The files every case starts from: names a shell or a line-based listing would get wrong. */
const ODD_NAMES = ["with space/and 'quote'.txt", "new\nline", "tab\there", "ünïcødé/日本.txt", "-dash", "back\\slash", 'dq"uote', "deep/a/b/c/d.bin"];
const MTIME = 1_700_000_000;

async function run(server: ServerConnection, command: string, args: string[], options?: ExecOptions) {
  const handle = server.exec(command, args, options);
  const [stdout, stderr, exit] = await Promise.all([text(handle.stdout), text(handle.stderr), handle.exit]);
  return { stdout, stderr, ...exit };
}

async function mustRun(server: ServerConnection, command: string, args: string[]): Promise<void> {
  const result = await run(server, command, args);
  if (result.code !== 0) throw new Error(`${command} failed on the server: ${result.stderr.trim()}`);
}

async function bytes(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

async function listAll(files: FileSet, signal = new AbortController().signal): Promise<FileSetEntry[]> {
  const entries: FileSetEntry[] = [];
  for await (const entry of files.list({ signal })) entries.push(entry);
  return entries.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** What `read` yields, each stream read to its end in turn. */
async function readAll(files: FileSet, paths: string[]): Promise<Map<string, { size: number; sha256: string }>> {
  const read = new Map<string, { size: number; sha256: string }>();
  for await (const content of files.read(paths, { signal: new AbortController().signal })) {
    expect(read.has(content.path), `${content.path} yielded twice`).toBe(false);
    const data = await bytes(content.stream);
    expect(data.length, content.path).toBe(content.size);
    read.set(content.path, { size: content.size, sha256: sha256(data) });
  }
  return read;
}

/**
 * The FileSet contract (`FileSet` of @safehold/plugin-api) as vitest cases for any server kind: the listing sees
 * every file and link with exact sizes, modes and times (folders implied); reading returns the exact bytes of
 * exactly the files asked, odd names included; a file removed since the listing is left out; a missing folder and
 * a name that is not UTF-8 fail clearly; an abort stops the reading. Needs a POSIX server with GNU find and tar,
 * sh, ln, chmod, touch and rm.
 */
export function describeFileSetContract(name: string, options: FileSetContractOptions): void {
  describe(`file set contract: ${name}`, () => {
    let server: ServerConnection;
    let folder: string;
    const contents = new Map<string, Buffer>();

    beforeAll(async () => {
      server = await options.connect();
      folder = await options.folder("file-set");
      contents.set("ab/0123abcd", randomBytes(1024 * 1024 + 17));
      contents.set("ab/empty", Buffer.alloc(0));
      ODD_NAMES.forEach((oddName, i) => contents.set(oddName, Buffer.from(`${oddName} ${i}\n`.repeat(i + 1))));
      for (const [file, data] of contents) await server.writeFile(path.posix.join(folder, file), Readable.from([data]));
      await mustRun(server, "ln", ["-s", "0123abcd", path.posix.join(folder, "ab/link")]);
      // A second name of the same file: tar must send its bytes again, not a link to the first.
      await mustRun(server, "ln", [path.posix.join(folder, "back\\slash"), path.posix.join(folder, "ab/hard link")]);
      contents.set("ab/hard link", contents.get("back\\slash")!);
      await mustRun(server, "mkdir", ["-p", path.posix.join(folder, "empty folder")]);
      await mustRun(server, "chmod", ["600", path.posix.join(folder, "ab/0123abcd")]);
      await mustRun(server, "chmod", ["755", path.posix.join(folder, "-dash")]);
      const all = [...contents.keys(), "ab/link"].map((file) => path.posix.join(folder, file));
      await mustRun(server, "touch", ["-h", "-d", `@${MTIME}`, "--", ...all]);
    }, 120_000);

    afterAll(async () => {
      await server?.close();
    });

    it("lists every file and symbolic link with its exact size, mode and time, folders implied", async () => {
      const expected: FileSetEntry[] = [...contents].map(([file, data]) => {
        const mode = file === "ab/0123abcd" ? 0o600 : file === "-dash" ? 0o755 : expect.any(Number);
        return { type: "file", path: file, size: data.length, mtime: MTIME, mode };
      });
      expected.push({ type: "symlink", path: "ab/link", target: "0123abcd", mtime: MTIME, mode: 0o777 });
      expect(await listAll(options.fileSet(server, folder))).toEqual(expected.sort((a, b) => (a.path < b.path ? -1 : 1)));
    });

    it("reads the exact bytes of exactly the files asked, odd names included, whether or not each stream is read", async () => {
      const files = options.fileSet(server, folder);
      const read = await readAll(files, [...contents.keys()]);
      expect(new Map([...read].sort())).toEqual(new Map([...contents].sort().map(([file, data]) => [file, { size: data.length, sha256: sha256(data) }])));

      const some = ["new\nline", "ab/empty", "ünïcødé/日本.txt"];
      expect([...(await readAll(files, some)).keys()].sort()).toEqual([...some].sort());
      expect((await readAll(files, [])).size).toBe(0);

      // Streams left unread are drained: the next file still comes.
      const yielded: FileSetContent[] = [];
      for await (const content of files.read(["-dash", "tab\there", "deep/a/b/c/d.bin"], { signal: new AbortController().signal })) yielded.push(content);
      expect(yielded.map((c) => c.path).sort()).toEqual(["-dash", "deep/a/b/c/d.bin", "tab\there"]);
    });

    it("leaves out a file removed since the listing, and reads the others", async () => {
      const own = await options.folder("vanishing");
      // The odd name makes tar quote it in its message: it must still be recognised as the asked file.
      const gone = 'gone/"t:w\\o"\nü';
      for (const file of ["keep/one", gone, "keep/three"]) await server.writeFile(path.posix.join(own, file), Readable.from([Buffer.from(file)]));
      const files = options.fileSet(server, own);
      const listed = (await listAll(files)).map((entry) => entry.path);
      expect(listed).toEqual([gone, "keep/one", "keep/three"]);
      await mustRun(server, "rm", ["--", path.posix.join(own, gone)]);
      const read = await readAll(files, listed);
      expect([...read.keys()].sort()).toEqual(["keep/one", "keep/three"]);
      expect(read.get("keep/three")).toEqual({ size: 10, sha256: sha256(Buffer.from("keep/three")) });
    });

    it("fails clearly, naming the folder, when the folder does not exist", async () => {
      const missing = path.posix.join(await options.folder("missing"), "no such folder");
      const files = options.fileSet(server, missing);
      await expect(listAll(files)).rejects.toThrow(new RegExp(`${escapeRegExp(missing)}.*No such file or directory`));
      await expect(readAll(files, ["a"])).rejects.toThrow(new RegExp(`${escapeRegExp(missing)}.*No such file or directory`));
    });

    it("refuses a file name that is not UTF-8, naming it escaped", async () => {
      const own = await options.folder("not-utf8");
      await mustRun(server, "sh", ["-c", 'printf x > "$1/bad$(printf "\\377")name"', "sh", own]);
      await expect(listAll(options.fileSet(server, own))).rejects.toThrow(/"bad\\xffname".*not valid UTF-8/);
    });

    it("stops reading when aborted", async () => {
      const own = await options.folder("abort");
      await server.writeFile(path.posix.join(own, "big.bin"), Readable.from([randomBytes(8 * 1024 * 1024)]));
      const controller = new AbortController();
      const reading = (async () => {
        for await (const content of options.fileSet(server, own).read(["big.bin"], { signal: controller.signal })) {
          for await (const _chunk of content.stream) controller.abort();
        }
      })();
      await expect(reading).rejects.toThrow(/abort/i);
    });
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
