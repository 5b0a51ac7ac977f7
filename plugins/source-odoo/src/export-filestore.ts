import { posix } from "node:path";
import type { Readable } from "node:stream";
import type { PluginLogger } from "@safehold/plugin-api";
import type { ZipWriter } from "@safehold/plugin-helpers";
import { extract, type Header } from "tar-stream";

type Entry = { header: Header; stream: Readable };

/** "./ab/x" → "ab/x"; an absolute path or one through ".." fails the export (a zip entry must never leave its folder). */
function entryPath(name: string): string {
  const parts = name.split("/").filter((p) => p !== "" && p !== ".");
  if (name.startsWith("/") || parts.includes("..")) throw new Error(`The stored filestore archive holds an unsafe path ${JSON.stringify(name.slice(0, 200))}: refusing to export it`);
  return parts.join("/");
}

/** The tar's entries one at a time: each must be read (or resumed) before the next is produced. */
async function* entries(tar: Readable): AsyncGenerator<Entry> {
  const reader = extract();
  tar.once("error", (err) => reader.destroy(err));
  tar.pipe(reader);
  for await (const entry of reader) yield { header: entry.header, stream: entry as unknown as Readable };
}

/**
 * Adds the stored filestore tar to the zip as `filestore/<path>`, streamed entry by entry. Like Odoo's `zip_dir`
 * (os.walk, `os.path.isfile`), only files are written: a symbolic or hard link to a file of the archive is written
 * as a copy of that file (read in a second pass over the archive), folders and links to anything else are left out.
 * `leaveOut` names files (paths inside the filestore) that must not be exported, nor any link to them. Returns how
 * many files were written and how many left out.
 */
export async function addFilestore(zip: ZipWriter, open: () => Promise<Readable>, log: PluginLogger, leaveOut: ReadonlySet<string>): Promise<{ written: number; left: number }> {
  /** Link path → the archive path it leads to. */
  const links = new Map<string, string>();
  const files = new Set<string>();
  let left = 0;
  for await (const { header, stream } of entries(await open())) {
    const path = entryPath(header.name);
    if (leaveOut.has(path)) {
      stream.resume();
      links.delete(path);
      left += 1;
      continue;
    }
    if ((header.type === "file" || header.type === "contiguous-file") && path !== "") {
      files.add(path);
      links.delete(path);
      await zip.add(`filestore/${path}`, stream, { size: header.size ?? 0, mtime: header.mtime });
      continue;
    }
    stream.resume();
    if (header.type === "link" && header.linkname) links.set(path, entryPath(header.linkname));
    if (header.type === "symlink" && header.linkname && !header.linkname.startsWith("/")) {
      const target = posix.normalize(posix.join(posix.dirname(path), header.linkname));
      if (!target.startsWith("../") && target !== "..") links.set(path, target);
    }
  }
  const copies = new Map<string, string[]>();
  for (const [link, first] of links) {
    // A link to a link leads where that one does (as os.path.isfile follows them); a loop leads nowhere.
    let target = first;
    for (let hops = 0; links.has(target) && hops < 32; hops++) target = links.get(target)!;
    if (leaveOut.has(target)) {
      left += 1;
      continue;
    }
    if (!files.has(target)) {
      log.warn(`Filestore entry ${link} links to ${target}, which is not a file of the archive: left out, as Odoo's own export leaves it out`);
      continue;
    }
    copies.set(target, [...(copies.get(target) ?? []), link]);
  }
  let written = files.size;
  // Each pass writes one copy per linked file (a tar entry streams once); several links to one file take more passes.
  while (copies.size > 0) {
    for await (const { header, stream } of entries(await open())) {
      const path = entryPath(header.name);
      const wanted = copies.get(path);
      if (!wanted || (header.type !== "file" && header.type !== "contiguous-file")) {
        stream.resume();
        continue;
      }
      const [first = path, ...rest] = wanted;
      await zip.add(`filestore/${first}`, stream, { size: header.size ?? 0, mtime: header.mtime });
      written += 1;
      if (rest.length > 0) copies.set(path, rest);
      else copies.delete(path);
    }
  }
  return { written, left };
}
