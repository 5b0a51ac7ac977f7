import { Readable } from "node:stream";
import { pack as tarPack } from "tar-stream";
import { describe, expect, it } from "vitest";
import { formatBytes, safeTarStream, type FolderWording } from "@safehold/plugin-helpers";

const UPLOADS: FolderWording = { noun: "uploads", folder: "uploads folder", aFolder: "an uploads folder" };

/** A tar archive as a Node stream, as a restore hands it over. */
async function archive(entries: Array<{ name: string; content?: string; type?: "file" | "fifo" }>): Promise<Readable> {
  const pack = tarPack();
  for (const e of entries) {
    if (e.type === "fifo") pack.entry({ name: e.name, type: "fifo" });
    else pack.entry({ name: e.name }, e.content ?? "");
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Readable.from([Buffer.concat(chunks)]);
}

async function drain(stream: Readable): Promise<void> {
  for await (const chunk of stream) void chunk;
}

/** The shared helpers keep each plugin's own words: source-mysql names its folder "uploads", source-odoo "filestore". */
describe("@safehold/plugin-helpers", () => {
  it("refuses an unsafe entry in the words of the plugin's folder", async () => {
    await expect(drain(safeTarStream(await archive([{ name: "../evil", content: "x" }]), UPLOADS))).rejects.toThrow(
      'The uploads archive contains an unsafe entry "../evil" (its path leaves the folder through ".."): refusing to extract it',
    );
    await expect(drain(safeTarStream(await archive([{ name: "pipe", type: "fifo" }]), UPLOADS))).rejects.toThrow(
      'The uploads archive contains an unsafe entry "pipe" (it is a fifo): refusing to extract it',
    );
  });

  it("says when the archive is not a tar archive", async () => {
    await expect(drain(safeTarStream(Readable.from([Buffer.alloc(1024, 7)]), UPLOADS))).rejects.toThrow(/^The uploads archive is not a valid tar archive: /);
  });

  it("passes a safe archive through", async () => {
    await expect(drain(safeTarStream(await archive([{ name: "a/b.txt", content: "fine" }]), UPLOADS))).resolves.toBeUndefined();
  });

  it("formats sizes", () => {
    expect([formatBytes(512), formatBytes(1536), formatBytes(5 * 1024 ** 3)]).toEqual(["512 B", "1.5 KB", "5.0 GB"]);
  });
});
