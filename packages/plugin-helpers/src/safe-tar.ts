import { finished, PassThrough, type Readable } from "node:stream";
import { extract as tarExtract, pack as tarPack, type Header, type Pack } from "tar-stream";
import type { FolderWording } from "./folder-wording";

type EntryHeader = Parameters<Pack["entry"]>[0];

/** Beyond this many symbolic links followed in a row, a link is taken for a loop. */
const MAX_LINK_DEPTH = 32;

/** An entry refused for `reason`; the archive's name (the filestore, the uploads…) is added when it is reported. */
class UnsafeEntry extends Error {
  constructor(
    readonly entry: string,
    readonly reason: string,
  ) {
    super(reason);
  }

  describe(words: FolderWording): string {
    const shown = JSON.stringify(this.entry.length > 200 ? `${this.entry.slice(0, 200)}…` : this.entry);
    return `The ${words.noun} archive contains an unsafe entry ${shown} (${this.reason}): refusing to extract it`;
  }
}

/** An archive path as its parts ("./ab/x" → ["ab", "x"]); absolute paths and `..` make entry `name` refused. */
function pathParts(path: string, name: string, what: string): string[] {
  if (path.startsWith("/")) throw new UnsafeEntry(name, `${what} is an absolute path`);
  const parts = path.split("/").filter((part) => part !== "" && part !== ".");
  if (parts.includes("..")) throw new UnsafeEntry(name, `${what} leaves the folder through ".."`);
  return parts;
}

/**
 * Where `target`, read from the folder `from`, leads, following the archive's own symbolic links; null when
 * it leaves the archive's root (or loops).
 */
function resolveLink(from: string[], target: string, links: ReadonlyMap<string, string>, depth = 0): string[] | null {
  if (target.startsWith("/") || depth > MAX_LINK_DEPTH) return null;
  let at = [...from];
  for (const part of target.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (at.length === 0) return null;
      at.pop();
      continue;
    }
    at.push(part);
    const link = links.get(at.join("/"));
    if (link !== undefined) {
      const next = resolveLink(at.slice(0, -1), link, links, depth + 1);
      if (!next) return null;
      at = next;
    }
  }
  return at;
}

/**
 * The rules every entry must pass before it reaches `tar -x`. Nothing is written through a symbolic link
 * (so the lexical checks hold), and a link may only point inside the folder, which the archive's later
 * links cannot change unnoticed: every link is checked again at the end.
 */
class EntryChecker {
  private readonly links = new Map<string, string>();

  constructor(private readonly words: FolderWording) {}

  /** The header to pass on, rebuilt from what is safe to keep; null for the archive's root folder itself. */
  check(header: Header): EntryHeader | null {
    const { name, type } = header;
    const parts = pathParts(name, name, "its path");
    for (let i = 1; i < parts.length; i++) {
      const through = parts.slice(0, i).join("/");
      if (this.links.has(through)) throw new UnsafeEntry(name, `its path goes through the symbolic link "${through}"`);
    }
    const path = parts.join("/");
    if (path === "") {
      if (type === "directory") return null;
      throw new UnsafeEntry(name, "it has no name");
    }
    // Setuid, setgid and sticky bits are dropped: the files are extracted by whoever runs tar, maybe root.
    const base = { name: path, mode: (header.mode ?? 0o644) & 0o777, mtime: header.mtime };
    switch (type) {
      case "file":
      case "contiguous-file":
        // tar replaces a symbolic link of the same name with the file.
        this.links.delete(path);
        return { ...base, type: "file", size: header.size ?? 0 };
      case "directory":
        if (this.links.has(path)) throw new UnsafeEntry(name, "it is a folder in place of a symbolic link");
        return { ...base, name: `${path}/`, type: "directory" };
      case "symlink":
        return { ...base, type: "symlink", linkname: this.checkSymlink(name, parts, header.linkname ?? "") };
      case "link": {
        const linkname = this.checkHardLink(name, header.linkname ?? "");
        this.links.delete(path);
        return { ...base, type: "link", linkname };
      }
      case "character-device":
      case "block-device":
      case "fifo":
        throw new UnsafeEntry(name, `it is a ${type.replace("-", " ")}`);
      default:
        throw new UnsafeEntry(name, `it is an entry of type ${type ?? "unknown"}, which ${this.words.aFolder} never holds`);
    }
  }

  private checkSymlink(name: string, parts: string[], target: string): string {
    if (target === "") throw new UnsafeEntry(name, "it is a symbolic link to nothing");
    if (target.startsWith("/")) throw new UnsafeEntry(name, `it is a symbolic link to the absolute path "${target}"`);
    if (!resolveLink(parts.slice(0, -1), target, this.links)) throw new UnsafeEntry(name, `it is a symbolic link to "${target}", outside the folder`);
    this.links.set(parts.join("/"), target);
    return target;
  }

  private checkHardLink(name: string, target: string): string {
    const parts = pathParts(target, name, "the file it links to");
    const path = parts.join("/");
    if (path === "") throw new UnsafeEntry(name, "it is a hard link to nothing");
    for (let i = 1; i <= parts.length; i++) {
      const through = parts.slice(0, i).join("/");
      // A hard link to a symbolic link copies the link, whose target would then be read from another folder.
      if (this.links.has(through)) throw new UnsafeEntry(name, `it is a hard link through the symbolic link "${through}"`);
    }
    return path;
  }

  /** Every link again, now that the archive's later links are known too. */
  checkAllLinks(): void {
    for (const [path, target] of this.links) {
      if (!resolveLink(path.split("/").slice(0, -1), target, this.links)) throw new UnsafeEntry(path, `it is a symbolic link to "${target}", outside the folder`);
    }
  }
}

/**
 * Re-emits a tar archive entry by entry, refusing (the stream errors) absolute paths, `..`, links leading
 * outside the folder, devices and fifos before they reach `tar -x`. Entries stream through: memory stays
 * bounded whatever the size of the files.
 */
export function safeTarStream(input: Readable, words: FolderWording): Readable {
  const extract = tarExtract();
  const pack = tarPack();
  const output = new PassThrough();
  const checker = new EntryChecker(words);
  let failed = false;
  const fail = (cause: Error) => {
    if (failed) return;
    failed = true;
    const err = cause instanceof UnsafeEntry ? new Error(cause.describe(words)) : cause;
    input.unpipe(extract as unknown as NodeJS.WritableStream);
    output.destroy(err);
    extract.destroy();
    pack.destroy();
  };

  extract.on("entry", (header, content, next) => {
    let checked: EntryHeader | null;
    try {
      checked = checker.check(header);
    } catch (err) {
      fail(err as Error);
      return;
    }
    if (!checked) {
      content.on("end", () => next());
      content.resume();
      return;
    }
    const sink = pack.entry(checked, (err) => next(err));
    // A failure reaches `fail` through the extract and pack streams; these two would only repeat it.
    content.on("error", () => {});
    content.pipe(sink, () => {});
  });
  extract.on("finish", () => {
    try {
      checker.checkAllLinks();
      pack.finalize();
    } catch (err) {
      fail(err as Error);
    }
  });
  extract.on("error", (err: Error) => fail(new Error(`The ${words.noun} archive is not a valid tar archive: ${err.message}`)));
  pack.on("error", (err: Error) => fail(err));
  // finished() also reports an input that failed before it was handed over (a stored file found damaged early).
  finished(input, (err) => err && fail(err));
  // The consumer went away (tar on the server failed): stop reading the archive.
  output.on("close", () => {
    if (!output.readableEnded) fail(new Error(`The ${words.noun} extraction stopped`));
  });

  input.pipe(extract as unknown as NodeJS.WritableStream);
  pack.pipe(output as never);
  return output;
}
