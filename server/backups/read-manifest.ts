import type { StorageClient } from "@/server/plugins/contracts";

/** A manifest lists one hash (about 70 bytes) per MiB stored: this is a stored file of about 1 TB, and bounds what is read. */
export const MANIFEST_LIMIT = 64 * 1024 * 1024;

export class ManifestTooLarge extends Error {}

/**
 * A stored manifest's text, read with a size cap (storage decides what it hands back, so a huge object must not
 * fill the console's memory). Throws ManifestTooLarge past the cap; any storage error is thrown as it is.
 */
export async function readManifestText(storage: StorageClient, key: string): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  const stream = await storage.get(key);
  for await (const part of stream) {
    size += (part as Buffer).length;
    if (size > MANIFEST_LIMIT) {
      stream.destroy();
      throw new ManifestTooLarge(`larger than ${MANIFEST_LIMIT / 1024 / 1024} MiB, which no backup writes`);
    }
    parts.push(part as Buffer);
  }
  return Buffer.concat(parts).toString("utf8");
}
