import { posix } from "node:path";
import type { Client, FileInfo } from "basic-ftp";
import type { StoredObject } from "@safehold/plugin-api";
import { isUnavailable } from "./errors";

/** Removes a file; a missing one is fine. FTP answers 550 to both "missing" and "refused", so SIZE tells them apart. */
export async function removeFile(client: Client, path: string): Promise<void> {
  try {
    await client.remove(path);
  } catch (err) {
    if (!isUnavailable(err)) throw err;
    const stillThere = await client.size(path).then(
      () => true,
      () => false,
    );
    if (stillThere) throw err;
  }
}

/**
 * Creates `dir` and its missing parents, leaving the working folder somewhere in it. basic-ftp's ensureDir
 * ignores a refused MKD and then reports the CWD that follows ("No such file or directory"); this reports the
 * MKD's own reason ("Permission denied"), and costs one command when the folder exists.
 */
export async function makeDirectories(client: Client, dir: string): Promise<void> {
  try {
    await client.cd(dir);
    return;
  } catch (err) {
    if (!isUnavailable(err) || dir === "/") throw err;
  }
  await makeDirectories(client, posix.dirname(dir));
  try {
    await client.send(`MKD ${dir}`);
  } catch (err) {
    // Created meanwhile by a concurrent upload elsewhere: fine.
    if (!(await client.cd(dir).then(() => true, () => false))) throw err;
  }
}

async function listFolder(client: Client, dir: string): Promise<FileInfo[]> {
  try {
    return await client.list(dir);
  } catch (err) {
    if (isUnavailable(err)) return [];
    throw err;
  }
}

/**
 * The files under `<root>/<base>` whose key starts with `prefix`, walking only subfolders that can match.
 * MLSD (RFC 3659) gives exact modification times; with a plain LIST, MDTM asks for each file's.
 */
export async function listFiles(client: Client, root: string, base: string, prefix: string): Promise<StoredObject[]> {
  const found: StoredObject[] = [];
  const walk = async (relative: string): Promise<void> => {
    const dir = relative ? posix.join(root, relative) : root;
    for (const info of await listFolder(client, dir)) {
      if (info.name === "." || info.name === "..") continue;
      const key = relative ? `${relative}/${info.name}` : info.name;
      if (info.isDirectory) {
        if (`${key}/`.startsWith(prefix) || prefix.startsWith(`${key}/`)) await walk(key);
      } else if (info.isFile && key.startsWith(prefix)) {
        const lastModified = info.modifiedAt ?? (await client.lastMod(posix.join(dir, info.name)));
        found.push({ key, size: info.size, lastModified });
      }
    }
  };
  await walk(base);
  return found;
}
