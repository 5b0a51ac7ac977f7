import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CompressionPlan, ExecHandle, ExecOptions, FileSet, ServerConnection } from "@safehold/plugin-api";
import { folderFileSet, type FolderWording } from "@safehold/plugin-helpers";
import { describeFileSetContract } from "@safehold/plugin-testkit";
import { builtinPluginHost } from "../helpers/fixtures";
import { makeUserDir, startSshd, type Sshd } from "../helpers/sshd";

const plugins = builtinPluginHost();
const WORDS: FolderWording = { noun: "filestore", folder: "filestore", aFolder: "a filestore" };
const ON_CONSOLE: CompressionPlan = { on: "worker", reason: "test", fallback: false };
const ON_SERVER: CompressionPlan = { on: "server", codec: { format: "gzip", program: "gzip" } };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-file-set-"));
let sshd: Sshd;

beforeAll(async () => {
  sshd = await startSshd({ user: "safehold-ssh-fs" });
});

afterAll(async () => {
  await sshd?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

type Kind = { name: string; connect: () => Promise<ServerConnection>; folder: (name: string) => string; compression: CompressionPlan };

const kinds: Kind[] = [
  { name: "local", connect: async () => (await plugins.serverKind("local")).connect({}), folder: (name) => fs.mkdtempSync(path.join(tmp, `${name}-`)), compression: ON_CONSOLE },
  { name: "ssh", connect: async () => (await plugins.serverKind("ssh")).connect(sshd.config), folder: (name) => makeUserDir(sshd, `${name}-${randomBytes(3).toString("hex")}`), compression: ON_CONSOLE },
  { name: "ssh, gzip on the server", connect: async () => (await plugins.serverKind("ssh")).connect(sshd.config), folder: (name) => makeUserDir(sshd, `gz-${name}-${randomBytes(3).toString("hex")}`), compression: ON_SERVER },
];

for (const kind of kinds) {
  describeFileSetContract(kind.name, { connect: kind.connect, folder: kind.folder, fileSet: (server, folder) => folderFileSet(server, folder, WORDS, kind.compression) });
}

/** The connection, with every command it runs recorded (`rewrite` plays a hostile server by changing the arguments). */
function recording(server: ServerConnection, rewrite: (command: string, args: string[]) => string[] = (_, args) => args) {
  const commands: string[] = [];
  const handles: ExecHandle[] = [];
  const wrapped: ServerConnection = {
    exec(command: string, args: string[], options?: ExecOptions) {
      commands.push(command);
      const handle = server.exec(command, rewrite(command, args), options);
      handles.push(handle);
      return handle;
    },
    openTcp: (host, port) => server.openTcp(host, port),
    readFile: (file) => server.readFile(file),
    writeFile: (file, content) => server.writeFile(file, content),
    close: () => server.close(),
  };
  return { commands, handles, server: wrapped };
}

const sha1 = (data: Buffer | string) => createHash("sha1").update(data).digest("hex");

/** `count` files laid out as an Odoo filestore (`<2 hex>/<sha1>`), written straight to disk; their contents by path. */
function filestore(dir: string, count: number, owner?: { uid: number; gid: number }): Map<string, string> {
  const files = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const content = `attachment ${i}\n`.repeat(1 + (i % 40));
    const id = sha1(content);
    const file = path.join(dir, id.slice(0, 2), id);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    if (owner) {
      fs.chownSync(path.dirname(file), owner.uid, owner.gid);
      fs.chownSync(file, owner.uid, owner.gid);
    }
    files.set(`${id.slice(0, 2)}/${id}`, content);
  }
  return files;
}

async function readBatch(files: FileSet, paths: string[]): Promise<Map<string, string>> {
  const read = new Map<string, string>();
  for await (const content of files.read(paths, { signal: new AbortController().signal })) {
    let text = "";
    for await (const chunk of content.stream) text += (chunk as Buffer).toString("utf8");
    read.set(content.path, text);
  }
  return read;
}

describe("round trips", () => {
  for (const kind of kinds) {
    it(`lists 5,000 files with one command and reads them in batches of 1,000 with one command each (${kind.name})`, async () => {
      const dir = kind.folder("round-trips");
      const expected = filestore(dir, 5000, kind.name.startsWith("ssh") ? sshd : undefined);
      const connection = await kind.connect();
      try {
        const { commands, server } = recording(connection);
        const files = folderFileSet(server, dir, WORDS, kind.compression);
        const started = Date.now();
        const paths: string[] = [];
        for await (const entry of files.list({ signal: new AbortController().signal })) paths.push(entry.path);
        const listedIn = Date.now() - started;
        expect(commands).toEqual(["find"]);
        expect(paths.sort()).toEqual([...expected.keys()].sort());

        const read = new Map<string, string>();
        for (let i = 0; i < paths.length; i += 1000) for (const [file, text] of await readBatch(files, paths.slice(i, i + 1000))) read.set(file, text);
        expect(commands).toEqual(["find", "tar", "tar", "tar", "tar", "tar"]);
        expect(read.size).toBe(5000);
        for (const [file, text] of read) expect(sha1(text), file).toBe(file.split("/")[1]);
        console.log(`[file set] ${kind.name}: 5,000 files listed in ${listedIn} ms and read in ${Date.now() - started - listedIn} ms, ${commands.length} commands`);
      } finally {
        await connection.close();
      }
    }, 180_000);
  }
});

describe("a reader that stops early", () => {
  for (const kind of kinds) {
    it(`stops the listing's find and the batch's tar (${kind.name})`, async () => {
      const dir = kind.folder("early");
      const owner = kind.name.startsWith("ssh") ? sshd : undefined;
      filestore(dir, 3000, owner);
      const big = ["big-1", "big-2", "big-3"];
      for (const file of big) {
        fs.writeFileSync(path.join(dir, file), randomBytes(8 * 1024 * 1024));
        if (owner) fs.chownSync(path.join(dir, file), owner.uid, owner.gid);
      }
      const connection = await kind.connect();
      try {
        const { handles, server } = recording(connection);
        const files = folderFileSet(server, dir, WORDS, kind.compression);
        for await (const _entry of files.list({ signal: new AbortController().signal })) break;
        // find had far more to print than a pipe holds: only a kill ends it now (or the pipe it writes to closing).
        expect((await handles[0]!.exit).signal).not.toBeNull();
        for await (const content of files.read(big, { signal: new AbortController().signal })) {
          content.stream.resume();
          break;
        }
        expect((await handles[1]!.exit).signal).not.toBeNull();
      } finally {
        await connection.close();
      }
    }, 120_000);
  }
});

describe("a hostile or failing server", () => {
  let connection: ServerConnection;
  let dir: string;

  beforeAll(async () => {
    connection = await (await plugins.serverKind("ssh")).connect(sshd.config);
    dir = makeUserDir(sshd, "hostile");
    for (const file of ["a.txt", "b.txt", "secret.txt"]) {
      fs.writeFileSync(path.join(dir, file), file);
      fs.chownSync(path.join(dir, file), sshd.uid, sshd.gid);
    }
  });

  afterAll(async () => {
    await connection?.close();
  });

  it("refuses a file tar sends that was not asked for", async () => {
    const { server } = recording(connection, (command, args) => (command === "tar" ? [...args, "secret.txt"] : args));
    await expect(readBatch(folderFileSet(server, dir, WORDS, ON_SERVER), ["a.txt"])).rejects.toThrow(
      `Reading files from the filestore ${dir} failed: tar sent "secret.txt", which was not asked for: refusing it`,
    );
  });

  it("refuses a listing with absolute paths", async () => {
    const { server } = recording(connection, (command, args) => (command === "find" ? args.map((arg) => arg.replace("%P", "%p")) : args));
    const listing = (async () => {
      for await (const _entry of folderFileSet(server, dir, WORDS, ON_CONSOLE).list({ signal: new AbortController().signal }));
    })();
    await expect(listing).rejects.toThrow(new RegExp(`^The listing of the filestore ${dir} names "${dir}/[a-z]+\\.txt" \\(it is an absolute path\\): refusing it$`));
  });

  it("refuses to ask for a path outside the folder", async () => {
    await expect(readBatch(folderFileSet(connection, dir, WORDS, ON_CONSOLE), ["a.txt", "../etc/passwd"])).rejects.toThrow(`Refusing to read "../etc/passwd" from the filestore ${dir}: it leaves the folder through ".."`);
  });

  it("fails on a file tar cannot read, naming it, rather than leaving it out", async () => {
    fs.chmodSync(path.join(dir, "b.txt"), 0o000);
    try {
      await expect(readBatch(folderFileSet(connection, dir, WORDS, ON_SERVER), ["a.txt", "b.txt"])).rejects.toThrow(
        `Reading files from the filestore ${dir} failed: "b.txt": Cannot open: Permission denied (tar exit code 2)`,
      );
    } finally {
      fs.chmodSync(path.join(dir, "b.txt"), 0o644);
    }
  });
});
